package io.notifylisten.sample.order;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Orders; also how {@code @NotifyListen} handlers receive a freshly loaded
 * {@link ShopOrder}.
 */
public interface ShopOrderRepository extends JpaRepository<ShopOrder, Long> {

}
