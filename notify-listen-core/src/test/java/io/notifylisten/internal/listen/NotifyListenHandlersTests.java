package io.notifylisten.internal.listen;

import java.lang.reflect.Method;
import java.security.Principal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import io.notifylisten.listen.EntityId;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.listen.PayloadValue;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link NotifyListenHandlers}: which methods it takes, what their parameters
 * receive, and as whom they run.
 */
class NotifyListenHandlersTests {

	private final NotifyListenHandlers handlers = new NotifyListenHandlers(new DefaultConversionService(), null);

	private final Authentication alice = UsernamePasswordAuthenticationToken.authenticated("alice", "n/a",
			AuthorityUtils.createAuthorityList("NOTIFY_LISTEN_USER"));

	@AfterEach
	void clearSecurityContext() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void findsAHandlerByEntityAndAction() {
		register(new Handlers(), "refresh");

		assertThat(this.handlers.find("Order", "refresh")).isNotNull();
		assertThat(this.handlers.find("Order", "deleted")).isNull();
		assertThat(this.handlers.find("Invoice", "refresh")).isNull();
		assertThat(this.handlers.entities()).containsExactly("Order");
	}

	@Test
	void givesTheHandlerTheIdAndPayloadValuesConvertedToItsParameterTypes() throws Exception {
		register(new Handlers(), "refresh");

		Object result = invoke("refresh", "42", Map.of("amount", "12"));

		assertThat(result).isEqualTo(Map.of("id", 42L, "amount", 12, "user", "alice"));
	}

	@Test
	void givesNullForAPayloadValueThatWasNotSent() throws Exception {
		register(new Handlers(), "refresh");

		Object result = invoke("refresh", "42", Map.of());

		assertThat(result).isEqualTo(Map.of("id", 42L, "amount", "none", "user", "alice"));
	}

	@Test
	void runsTheHandlerAsTheListeningUserAndRestoresTheCallersContext() throws Exception {
		register(new Handlers(), "whoAmI");
		Authentication caller = UsernamePasswordAuthenticationToken.authenticated("system", "n/a",
				AuthorityUtils.NO_AUTHORITIES);
		SecurityContextHolder.setContext(new SecurityContextImpl(caller));

		Object result = invoke("whoAmI", "1", Map.of());

		assertThat(result).isEqualTo("alice");
		assertThat(SecurityContextHolder.getContext().getAuthentication()).isSameAs(caller);
	}

	@Test
	void restoresTheCallersContextWhenTheHandlerThrows() {
		register(new Handlers(), "failing");
		SecurityContextHolder.clearContext();

		assertThatIllegalStateException().isThrownBy(() -> invoke("failing", "1", Map.of())).withMessage("Not today");
		assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();
	}

	@Test
	void refusesASecondHandlerForTheSameEntityAndAction() {
		register(new Handlers(), "refresh");

		assertThatIllegalStateException().isThrownBy(() -> register(new DuplicateHandlers(), "refresh"))
			.withMessageContaining("Order/refresh is declared twice")
			.withMessageContaining("Handlers.refresh")
			.withMessageContaining("DuplicateHandlers.refresh");
	}

	@Test
	void refusesInvalidNamesWithTheMethodThatDeclaresThem() {
		assertThatIllegalStateException().isThrownBy(() -> register(new InvalidHandlers(), "badEntity"))
			.withMessageContaining("InvalidHandlers.badEntity")
			.withMessageContaining("invalid entity or action: Or.der/refresh");
	}

	@Test
	void refusesAParameterItCannotResolveNamingItAndWhatItCanResolve() {
		assertThatIllegalStateException().isThrownBy(() -> register(new InvalidHandlers(), "unresolvable"))
			.withMessageContaining("cannot resolve parameter 'mood'")
			.withMessageContaining("Use NotifyMessage, Principal, @EntityId, @PayloadValue");
	}

	@Test
	void declaresItsHandlersInOrderOfEntityAndAction() {
		register(new Handlers(), "whoAmI");
		register(new Handlers(), "refresh");

		assertThat(this.handlers.declarations())
			.extracting((declaration) -> declaration.entity() + "/" + declaration.action() + " "
					+ declaration.method().getName())
			.containsExactly("Job/whoAmI whoAmI", "Order/refresh refresh");
	}

	private Object invoke(String action, String id, Map<String, Object> payload) throws Exception {
		String entity = action.equals("refresh") ? "Order" : "Job";
		InvocableHandlerMethod handler = this.handlers.find(entity, action);
		NotifyMessage notification = new NotifyMessage(entity, id, action, Instant.parse("2026-01-01T00:00:00Z"), "bob",
				payload);
		return this.handlers.invokeAs(handler, notification, this.alice, "s1");
	}

	private void register(Object bean, String methodName) {
		Method method = Arrays.stream(bean.getClass().getDeclaredMethods())
			.filter((candidate) -> candidate.getName().equals(methodName))
			.findFirst()
			.orElseThrow();
		this.handlers.register(bean, method, method.getAnnotation(NotifyListen.class));
	}

	static class Handlers {

		@NotifyListen(entity = "Order", action = "refresh")
		Map<String, Object> refresh(@EntityId Long id, @PayloadValue("amount") Integer amount, Principal user) {
			return Map.of("id", id, "amount", (amount != null) ? amount : "none", "user", user.getName());
		}

		@NotifyListen(entity = "Job", action = "whoAmI")
		String whoAmI(NotifyMessage message) {
			return SecurityContextHolder.getContext().getAuthentication().getName();
		}

		@NotifyListen(entity = "Job", action = "failing")
		String failing(NotifyMessage message) {
			throw new IllegalStateException("Not today");
		}

	}

	static class DuplicateHandlers {

		@NotifyListen(entity = "Order", action = "refresh")
		String refresh(NotifyMessage message) {
			return "again";
		}

	}

	static class InvalidHandlers {

		@NotifyListen(entity = "Or.der", action = "refresh")
		String badEntity(NotifyMessage message) {
			return "";
		}

		@NotifyListen(entity = "Order", action = "mood")
		String unresolvable(String mood) {
			return mood;
		}

	}

}
