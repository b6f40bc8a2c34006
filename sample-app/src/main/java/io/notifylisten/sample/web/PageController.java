package io.notifylisten.sample.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the static pages at readable paths; each page loads its data from
 * {@code /api/**} and listens for changes with {@code NotifyListen.listen()}.
 */
@Controller
class PageController {

	@GetMapping("/")
	String home() {
		return "forward:/index.html";
	}

	@GetMapping("/orders/{id:\\d+}")
	String order() {
		return "forward:/order.html";
	}

	@GetMapping("/chat")
	String chat() {
		return "forward:/chat.html";
	}

	@GetMapping("/jobs")
	String jobs() {
		return "forward:/jobs.html";
	}

	@GetMapping("/admin")
	String admin() {
		return "forward:/admin.html";
	}

}
