package io.notifylisten.sample.order;

import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Orders; also how {@code @NotifyListen} handlers receive a freshly loaded
 * {@link ShopOrder}.
 */
public interface ShopOrderRepository extends JpaRepository<ShopOrder, Long> {

	/**
	 * Return the order with the highest id.
	 * @return the order, or empty where there is none
	 */
	Optional<ShopOrder> findTopByOrderByIdDesc();

}
