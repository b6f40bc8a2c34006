package io.notifylisten.testapp;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

import io.notifylisten.listen.EntityId;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.listen.PayloadValue;
import io.notifylisten.notify.NotifyMessage;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;

/**
 * Reloads an order when it is refreshed, as the listening user, and reports who it ran
 * as.
 */
@Controller
public class OrderListener {

	private final String node;

	OrderListener(@Value("${test.node-name:single}") String node) {
		this.node = node;
	}

	@NotifyListen(entity = "Order", action = "refresh")
	Map<String, Object> refresh(ShopOrder order, @EntityId long id, Principal principal,
			@PayloadValue("status") String notifiedStatus, NotifyMessage message) {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("principal", principal.getName());
		result.put("securityContextUser", SecurityContextHolder.getContext().getAuthentication().getName());
		result.put("id", id);
		result.put("loadedStatus", (order != null) ? order.getStatus() : null);
		result.put("notifiedStatus", notifiedStatus);
		result.put("notifiedBy", message.notifiedBy());
		result.put("node", this.node);
		return result;
	}

}
