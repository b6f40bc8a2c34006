package io.notifylisten.benchmark.server.notifylisten;

import java.security.Principal;
import java.util.Map;

import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.NotifyMessage;

import org.springframework.stereotype.Controller;

/**
 * The handler path under test: runs once per listening connection for
 * {@code Item/{id}/view}, as that connection's user, and adds a small per-user result.
 */
@Controller
class ItemListener {

	@NotifyListen(entity = "Item", action = "view")
	Map<String, Object> view(NotifyMessage message, Principal user) {
		return Map.of("id", message.id(), "viewer", user.getName());
	}

}
