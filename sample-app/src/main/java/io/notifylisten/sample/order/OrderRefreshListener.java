package io.notifylisten.sample.order;

import io.notifylisten.listen.NotifyListen;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Sends each page that listens to an order the order itself, freshly loaded as that
 * page's user, so the page can show the change without asking for it.
 */
@Component
class OrderRefreshListener {

	// Runs once per listening connection, after the access rules allowed its user again.
	@NotifyListen(entity = "Order", action = "refresh")
	@Nullable OrderView refresh(@Nullable ShopOrder order) {
		return (order != null) ? OrderView.of(order) : null;
	}

}
