package io.notifylisten.autoconfigure;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.notifylisten.internal.broker.ChannelSubscriptionRegistry;
import io.notifylisten.internal.connection.ConnectedFrameInterceptor;
import io.notifylisten.internal.contract.ContractController;
import io.notifylisten.internal.delivery.DeliveryInterceptor;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.BearerTokenConnections;
import io.notifylisten.internal.security.JwtBearerTokenAuthenticator;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.ListenDeniedException;
import io.notifylisten.internal.security.StompAccessInterceptor;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.internal.transport.OutboundTransport;
import io.notifylisten.internal.web.PublishController;
import io.notifylisten.internal.web.PusherController;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessPolicy;
import io.notifylisten.security.EntityAccessRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.broker.DefaultSubscriptionRegistry;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.broker.SubscriptionRegistry;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.ImmutableMessageChannelInterceptor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.messaging.context.SecurityContextChannelInterceptor;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

@ExtendWith(OutputCaptureExtension.class)
class NotifyListenAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners.core();

	@Test
	void wiresEndpointBrokerNotifierAndSecurityWithNoUserCode() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(Notifier.class)
				.hasSingleBean(PusherController.class)
				.hasSingleBean(SimpMessagingTemplate.class)
				.hasSingleBean(SimpleBrokerMessageHandler.class);
			assertThat(context.getBean("clientInboundChannel", AbstractSubscribableChannel.class).getInterceptors())
				.hasAtLeastOneElementOfType(StompAccessInterceptor.class);
			List<ChannelInterceptor> outbound = context
				.getBean("clientOutboundChannel", AbstractSubscribableChannel.class)
				.getInterceptors();
			assertThat(outbound).hasAtLeastOneElementOfType(ConnectedFrameInterceptor.class);
			// The delivery rules have the last word on what a connection gets (Spring's
			// own last one only seals the headers).
			assertThat(outbound)
				.filteredOn((interceptor) -> !(interceptor instanceof ImmutableMessageChannelInterceptor))
				.last()
				.isInstanceOf(DeliveryInterceptor.class);
			// The outboxes keep each connection's order; Spring's own way stays off, so
			// there is one.
			assertThat(context.getBean(SimpleBrokerMessageHandler.class).isPreservePublishOrder()).isFalse();
			SubProtocolWebSocketHandler webSocketHandler = (SubProtocolWebSocketHandler) WebSocketHandlerDecorator
				.unwrap(context.getBean("subProtocolWebSocketHandler", WebSocketHandler.class));
			assertThat(webSocketHandler.getProtocolHandlers()).singleElement()
				.extracting("stompEncoder")
				.isExactlyInstanceOf(context.getBean(OutboundTransport.class).stompEncoder().getClass());
			SimpleBrokerMessageHandler broker = context.getBean(SimpleBrokerMessageHandler.class);
			// The broker checks the clients' heart-beats; the transport sends the
			// server's own.
			assertThat(broker.getHeartbeatValue()).containsExactly(0, 10_000);
			assertThat(context.getBean(OutboundTransport.class).agreeHeartbeats("no-such-session", null))
				.isEqualTo(10_000);
			assertThat(broker.getDestinationPrefixes()).containsExactly("/topic/");
		});
	}

	@Test
	void usersAuthoritiesAreReloadedOnAPoolOfTheirOwnAndTheApplicationKeepsItsTaskExecutor() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withBean(UserDetailsService.class,
					() -> new InMemoryUserDetailsManager(User.withUsername("alice").password("x").roles("X").build()))
			.run((context) -> {
				assertThat(context).hasBean("applicationTaskExecutor");
				assertThat(context.getBean(ListenAuthorizer.class)).extracting("currentAuthorities")
					.extracting("loads")
					.isSameAs(context.getBean("notifyListenAuthoritiesExecutor"));
			});
	}

	@Test
	void channelsRunOnPoolsOfTheirOwnAndTheApplicationKeepsItsTaskExecutor() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withPropertyValues("notify-listen.broker.outbound-threads=3")
			.run((context) -> {
				assertThat(context).hasBean("applicationTaskExecutor");
				ThreadPoolTaskExecutor outbound = context.getBean("notifyListenOutboundExecutor",
						ThreadPoolTaskExecutor.class);
				assertThat(outbound.getMaxPoolSize()).isEqualTo(3);
				assertThat(context.getBean(OutboundTransport.class)).extracting("outboxes.pool").isSameAs(outbound);
				CompletableFuture<String> thread = new CompletableFuture<>();
				context.getBean("clientOutboundChannel", ExecutorSubscribableChannel.class)
					.getExecutor()
					.execute(() -> thread.complete(Thread.currentThread().getName()));
				assertThat(thread).succeedsWithin(Duration.ofSeconds(5))
					.asString()
					.startsWith("notify-listen-outbound-");
				assertThat(context.getBean("clientInboundChannel", ExecutorSubscribableChannel.class).getExecutor())
					.isSameAs(context.getBean("notifyListenInboundExecutor"));
			});
	}

	@Test
	void notifierGivesPositionsInTheHistorysEpoch() {
		this.contextRunner.run((context) -> assertThat(context.getBean(Notifier.class).positionOf("Order", 42))
			.isEqualTo(new ListenPosition(context.getBean(ChannelHistory.class).epoch(), 0)));
	}

	@Test
	void notifierWithoutAHistoryRefusesPositionsNamingTheProperty() {
		this.contextRunner.withPropertyValues("notify-listen.history.enabled=false")
			.run((context) -> assertThatIllegalStateException()
				.isThrownBy(() -> context.getBean(Notifier.class).positionOf("Order", 42))
				.withMessageContaining("notify-listen.history.enabled"));
	}

	@Test
	void embeddedBrokerFindsSubscribersByDestination() {
		this.contextRunner
			.run((context) -> assertThat(context.getBean(SimpleBrokerMessageHandler.class).getSubscriptionRegistry())
				.isInstanceOf(ChannelSubscriptionRegistry.class));
	}

	@Test
	void subscriptionRegistryOfTheApplicationsOwnIsKept() {
		this.contextRunner.withUserConfiguration(OwnSubscriptionRegistryConfiguration.class)
			.run((context) -> assertThat(context.getBean(SimpleBrokerMessageHandler.class).getSubscriptionRegistry())
				.isSameAs(OwnSubscriptionRegistryConfiguration.REGISTRY));
	}

	@Test
	void embeddedBrokerFansChannelNotificationsOutDirectly() {
		this.contextRunner.run((context) -> {
			assertThat(context.getBean(ChannelFanOut.class).isStarted()).isTrue();
			assertThat(context.getBean("brokerChannel", AbstractSubscribableChannel.class).getInterceptors())
				.contains(context.getBean(ChannelFanOut.class));
		});
	}

	@Test
	void directFanOutCanBeSwitchedOff() {
		this.contextRunner.withPropertyValues("notify-listen.broker.direct-fan-out=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ChannelFanOut.class));
	}

	// The application's interceptor expects to see every message to a client; it sees
	// them only on Spring's path.
	@Test
	void directFanOutStaysOffBesideAnOutboundInterceptorOfTheApplicationsOwn(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(OwnOutboundInterceptorConfiguration.class).run((context) -> {
			assertThat(context.getBean(ChannelFanOut.class).isStarted()).isFalse();
			assertThat(output).contains("direct fan-out is off: an interceptor of the application's own");
			// Still the last word on what a connection gets: after the application's
			// interceptor.
			List<ChannelInterceptor> outbound = context
				.getBean("clientOutboundChannel", AbstractSubscribableChannel.class)
				.getInterceptors();
			assertThat(outbound).hasAtLeastOneElementOfType(SecurityContextChannelInterceptor.class)
				.filteredOn((interceptor) -> !(interceptor instanceof ImmutableMessageChannelInterceptor))
				.last()
				.isInstanceOf(DeliveryInterceptor.class);
		});
	}

	// Spring's path would then run on another executor than the outboxes: the paths would
	// not share a connection's order.
	@Test
	void directFanOutStaysOffBesideAnOutboundExecutorOfTheApplicationsOwn(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(OwnOutboundExecutorConfiguration.class).run((context) -> {
			assertThat(context.getBean(ChannelFanOut.class).isStarted()).isFalse();
			assertThat(output).contains("direct fan-out is off: the client outbound channel has an executor");
		});
	}

	@Test
	void directFanOutStaysOffBesideASubscriptionRegistryOfTheApplicationsOwn() {
		this.contextRunner.withUserConfiguration(OwnSubscriptionRegistryConfiguration.class)
			.run((context) -> assertThat(context.getBean(ChannelFanOut.class).isStarted()).isFalse());
	}

	// Such an origin would read the CSRF token of any logged-in user from
	// /rest/pusher/key.
	@Test
	void allowedOriginsThatMatchAnySiteAreRefusedAtStartup() {
		for (String anySite : List.of("*", "https://*", "http://*:8080", "http*", "https://*/", "https://**",
				"https://*.*", "https://*:[*]")) {
			this.contextRunner.withPropertyValues("notify-listen.allowed-origins=https://shop.example.com," + anySite)
				.run((context) -> assertThat(context).getFailure()
					.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("notify-listen.allowed-origins")
					.hasMessageContaining("'" + anySite + "'")
					.hasMessageContaining("lets in any site"));
		}
		this.contextRunner
			.withPropertyValues("notify-listen.allowed-origins=https://*.example.com,http://localhost:[*]")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	// The largest payload must fit, with its fields around it.
	@Test
	void publishRequestLimitBelowThePayloadLimitIsRefusedAtStartup() {
		this.contextRunner
			.withPropertyValues("notify-listen.publish.enabled=true", "notify-listen.payload.max-size=8KB",
					"notify-listen.publish.max-request-size=8KB")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notify-listen.publish.max-request-size")
				.hasMessageContaining("notify-listen.payload.max-size"));
	}

	@Test
	void sendBufferLimitOfNothingIsRefusedAtStartup() {
		this.contextRunner.withPropertyValues("notify-listen.limits.send-buffer-size-limit=0")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notify-listen.limits.send-buffer-size-limit"));
	}

	@Test
	void negativeConflationThresholdIsRefusedAtStartup() {
		this.contextRunner.withPropertyValues("notify-listen.limits.conflation-threshold=-1B")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notify-listen.limits.conflation-threshold"));
	}

	@Test
	void conflationThresholdIsHalfTheSendBufferLimitUnlessSet() {
		NotifyListenProperties.Limits limits = new NotifyListenProperties().getLimits();
		limits.setSendBufferSizeLimit(DataSize.ofKilobytes(256));
		assertThat(limits.conflationThresholdBytes()).isEqualTo(128 * 1024);
		limits.setConflationThreshold(DataSize.ofKilobytes(300));
		assertThat(limits.conflationThresholdBytes()).isEqualTo(300 * 1024);
	}

	@Test
	void publishApiRefusesToStartWhenItsChainWouldBeTheOnlyOne() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class))
			.withPropertyValues("notify-listen.publish.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notify-listen.publish.enabled")
				.hasMessageContaining("Declare a SecurityFilterChain"));
	}

	@Test
	void publishApiStartsBesideTheApplicationsOwnChain() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class))
			.withUserConfiguration(ApplicationSecurity.class)
			.withPropertyValues("notify-listen.publish.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(PublishController.class)
				.getBeans(SecurityFilterChain.class)
				.hasSize(2));
	}

	@Test
	void contractIsNotServedUnlessAskedFor() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ContractController.class));
	}

	@Test
	void contractIsServedWhenEnabled() {
		this.contextRunner.withPropertyValues("notify-listen.contract.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ContractController.class));
	}

	@Test
	void contractBacksOffWhenUserDefinesItsController() {
		this.contextRunner.withUserConfiguration(UserContractConfiguration.class)
			.withPropertyValues("notify-listen.contract.enabled=true")
			.run((context) -> assertThat(context).getBean(ContractController.class)
				.isSameAs(context.getBean("userContractController")));
	}

	@Test
	void heartbeatsAreConfigurable() {
		this.contextRunner
			.withPropertyValues("notify-listen.heartbeat.outgoing=25s", "notify-listen.heartbeat.incoming=0")
			.run((context) -> {
				assertThat(context.getBean(SimpleBrokerMessageHandler.class).getHeartbeatValue()).containsExactly(0, 0);
				assertThat(context.getBean(OutboundTransport.class).agreeHeartbeats("no-such-session", null))
					.isEqualTo(25_000);
			});
	}

	@Test
	void aNegativeHeartbeatIsRefusedAtStartup() {
		this.contextRunner.withPropertyValues("notify-listen.heartbeat.outgoing=-1s")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notify-listen.heartbeat.outgoing"));
	}

	@Test
	void healthIsUpWithTheEmbeddedBroker() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(NotifyListenHealthAutoConfiguration.class))
			.run((context) -> {
				Health health = context.getBean("notifyListenBrokerHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("mode", "single node");
			});
	}

	@Test
	void doesNothingWhenDisabled() {
		this.contextRunner.withPropertyValues("notify-listen.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(Notifier.class)
				.doesNotHaveBean(NotifyListenProperties.class)
				.doesNotHaveBean(StompAccessInterceptor.class)
				.doesNotHaveBean(PusherController.class));
	}

	@Test
	void doesNothingOutsideAServletWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(NotifyListenAutoConfiguration.class,
					NotifyListenHandlerAutoConfiguration.class, NotifyListenWebSocketAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(Notifier.class)
				.doesNotHaveBean(NotifyListenHandlers.class)
				.doesNotHaveBean(StompAccessInterceptor.class));
	}

	@Test
	void backsOffWhenUserDefinesNotifier() {
		this.contextRunner.withUserConfiguration(UserNotifierConfiguration.class)
			.run((context) -> assertThat(context).getBean(Notifier.class)
				.isSameAs(context.getBean(UserNotifierConfiguration.class).notifier));
	}

	@Test
	void checksBearerTokensOnConnectWithTheApplicationsJwtDecoder() {
		this.contextRunner.withBean(JwtDecoder.class, () -> (token) -> {
			throw new BadJwtException("Not in this test");
		})
			.run((context) -> assertThat(context).hasSingleBean(JwtBearerTokenAuthenticator.class)
				.hasSingleBean(BearerTokenConnections.class));
	}

	@Test
	void takesNoBearerTokensWithoutAJwtDecoder() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(BearerTokenAuthenticator.class)
			.doesNotHaveBean(BearerTokenConnections.class));
	}

	@Test
	void backsOffWhenUserDefinesBearerTokenAuthenticator() {
		BearerTokenAuthenticator own = (token) -> {
			throw new ListenDeniedException(BearerTokenAuthenticator.INVALID_TOKEN);
		};
		this.contextRunner.withBean(BearerTokenAuthenticator.class, () -> own)
			.withBean(JwtDecoder.class, () -> (token) -> {
				throw new BadJwtException("Not in this test");
			})
			.run((context) -> assertThat(context).hasSingleBean(BearerTokenConnections.class)
				.getBean(BearerTokenAuthenticator.class)
				.isSameAs(own));
	}

	@Test
	void backsOffWhenUserDefinesEntityAccessPolicy() {
		this.contextRunner.withBean(EntityAccessPolicy.class, () -> (user, entity, id) -> true)
			.run((context) -> assertThat(context).hasSingleBean(EntityAccessPolicy.class)
				.getBean(EntityAccessPolicy.class)
				.satisfies((policy) -> assertThat(policy.canRead(user(), "Anything", "1")).isTrue()));
	}

	@Test
	void defaultPolicyCombinesRulesAndPermissionEvaluator() {
		this.contextRunner
			.withBean(EntityAccessRules.class,
					() -> EntityAccessRules.builder().entity("Order", (user, id) -> id.equals("1")).build())
			.withBean(PermissionEvaluator.class, ReadInvoicesOnly::new)
			.run((context) -> {
				EntityAccessPolicy policy = context.getBean(EntityAccessPolicy.class);
				assertThat(policy.canRead(user(), "Order", "1")).isTrue();
				assertThat(policy.canRead(user(), "Order", "2")).isFalse();
				assertThat(policy.canRead(user(), "Invoice", "9")).isTrue();
				assertThat(policy.canRead(user(), "Payslip", "9")).isFalse();
			});
	}

	@Test
	void keepsTheApplicationsOwnMessageBrokerAndAddsItsEndpoint() {
		this.contextRunner.withUserConfiguration(UserMessageBrokerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(SimpMessagingTemplate.class);
			assertThat(context.getBean("clientInboundChannel", AbstractSubscribableChannel.class).getInterceptors())
				.hasAtLeastOneElementOfType(StompAccessInterceptor.class);
		});
	}

	@Test
	void failsOnInvalidKeyNamingTheProperty() {
		this.contextRunner.withPropertyValues("notify-listen.key=my.app")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.key")
				.hasMessageContaining("1 to 64 letters, digits, '_' or '-'"));
	}

	@Test
	void failsOnShortSecretWithoutEchoingIt(CapturedOutput output) {
		this.contextRunner.withPropertyValues("notify-listen.secret=tooShortSecret99").run((context) -> {
			assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.secret")
				.hasMessageContaining("at least 32 characters")
				.hasMessageNotContaining("tooShortSecret99");
			assertThat(output).doesNotContain("tooShortSecret99");
		});
	}

	@Test
	void failsOnEmptyListenRoleNamingTheProperty() {
		this.contextRunner.withPropertyValues("notify-listen.listen-role= ")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.listen-role"));
	}

	@Test
	void startsWithRandomSecretAndWarnsWhenNoneIsSet(CapturedOutput output) {
		NotifyListenContextRunners.withoutSecret().run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(SubscriptionSigner.class);
			assertThat(output).contains("notify-listen.secret is not set: using a random secret for this run")
				.contains("before running more than one node");
		});
	}

	@Test
	void namesEntitiesNobodyCanListenTo(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(InvoiceHandlerConfiguration.class)
			.withBean(EntityAccessRules.class,
					() -> EntityAccessRules.builder().entity("Order", (user, id) -> true).build())
			.run((context) -> assertThat(output)
				.contains("notify-listen: nobody can listen to [Invoice]: no EntityAccessRules rule"));
	}

	@Test
	void failsAtStartupWhenTwoHandlersClaimOneEntityAndAction() {
		this.contextRunner.withUserConfiguration(InvoiceHandlerConfiguration.class, DuplicateHandlerConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("@NotifyListen for Invoice/paid is declared twice"));
	}

	@Test
	void failsAtStartupWhenAHandlerParameterCannotBeResolved() {
		this.contextRunner.withUserConfiguration(UnresolvableParameterConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("cannot resolve parameter 'amount'"));
	}

	private static Authentication user() {
		return new TestingAuthenticationToken("alice", "n/a", "NOTIFY_LISTEN_USER");
	}

	@Configuration(proxyBeanMethods = false)
	static class UserContractConfiguration {

		@Bean
		ContractController userContractController() {
			return new ContractController(() -> {
				throw new IllegalStateException("Not read in these tests");
			}, null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserNotifierConfiguration {

		final Notifier notifier = new Notifier() {

			@Override
			public void notify(String entity, Object id, String action, Map<String, ?> payload) {
			}

			@Override
			public void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload) {
			}

		};

		@Bean
		Notifier userNotifier() {
			return this.notifier;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSocketMessageBroker
	static class UserMessageBrokerConfiguration implements WebSocketMessageBrokerConfigurer {

	}

	@Configuration(proxyBeanMethods = false)
	static class InvoiceHandlerConfiguration {

		@Bean
		InvoiceHandler invoiceHandler() {
			return new InvoiceHandler();
		}

	}

	static class InvoiceHandler {

		@NotifyListen(entity = "Invoice", action = "paid")
		Map<String, Object> paid(Authentication user) {
			return Map.of("user", user.getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DuplicateHandlerConfiguration {

		@Bean
		InvoiceHandler secondInvoiceHandler() {
			return new InvoiceHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnresolvableParameterConfiguration {

		@Bean
		Object unresolvable() {
			return new Object() {

				@NotifyListen(entity = "Invoice", action = "paid")
				void paid(String amount) {
				}

			};
		}

	}

	static class ReadInvoicesOnly implements PermissionEvaluator {

		@Override
		public boolean hasPermission(Authentication authentication, Object target, Object permission) {
			return false;
		}

		@Override
		public boolean hasPermission(Authentication authentication, Serializable targetId, String targetType,
				Object permission) {
			return targetType.equals("Invoice") && "read".equals(permission);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationSecurity {

		@Bean
		SecurityFilterChain applicationChain(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated()).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnOutboundInterceptorConfiguration implements WebSocketMessageBrokerConfigurer {

		@Override
		public void configureClientOutboundChannel(ChannelRegistration registration) {
			registration.interceptors(new SecurityContextChannelInterceptor());
		}

	}

	static class OwnOutboundExecutorConfiguration implements WebSocketMessageBrokerConfigurer {

		@Override
		public void configureClientOutboundChannel(ChannelRegistration registration) {
			registration.executor(new SimpleAsyncTaskExecutor());
		}

	}

	static class OwnSubscriptionRegistryConfiguration {

		static final SubscriptionRegistry REGISTRY = new DefaultSubscriptionRegistry() {
		};

		@Bean
		static BeanPostProcessor ownSubscriptionRegistry() {
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (bean instanceof SimpleBrokerMessageHandler broker) {
						broker.setSubscriptionRegistry(REGISTRY);
					}
					return bean;
				}
			};
		}

	}

}
