package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.util.List;

import javax.sql.DataSource;

import io.notifylisten.internal.notify.TransactionalOutbox;
import io.notifylisten.internal.outbox.JdbcTransactionalOutbox;
import io.notifylisten.notify.NotificationLog;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the transactional outbox: on with
 * {@code notify-listen.outbox.enabled=true} and one {@link DataSource}. Creates the table
 * as Spring Session JDBC and Spring Batch do
 * ({@code notify-listen.outbox.jdbc.initialize-schema}), and backs off when the
 * application defines its own {@link TransactionalOutbox}.
 */
@AutoConfiguration(after = { NotifyListenAutoConfiguration.class, NotifyListenStreamAutoConfiguration.class },
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "notify-listen.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("notify-listen.outbox.enabled")
@ConditionalOnClass({ JdbcTemplate.class, DataSourceScriptDatabaseInitializer.class })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBean(NotificationLog.class)
@EnableConfigurationProperties(NotifyListenProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class NotifyListenOutboxAutoConfiguration {

	static final String SCRIPTS = "classpath:io/notifylisten/outbox/";

	private static final String GENERIC_SCRIPT = SCRIPTS + "schema.sql";

	@Bean
	@ConditionalOnMissingBean
	NotifyListenOutboxSchemaInitializer notifyListenOutboxSchemaInitializer(DataSource dataSource,
			NotifyListenProperties properties) {
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(List.of(schemaScript(dataSource, properties)));
		settings
			.setMode(DatabaseInitializationMode.valueOf(properties.getOutbox().getJdbc().getInitializeSchema().name()));
		return new NotifyListenOutboxSchemaInitializer(dataSource, settings);
	}

	@Bean
	@ConditionalOnMissingBean(TransactionalOutbox.class)
	@DependsOnDatabaseInitialization
	JdbcTransactionalOutbox notifyListenTransactionalOutbox(DataSource dataSource, NotificationLog notificationLog,
			NotifyListenProperties properties, ObjectProvider<JsonMapper> jsonMapper) {
		NotifyListenProperties.JdbcOutbox outbox = properties.getOutbox();
		return new JdbcTransactionalOutbox(dataSource, schemaScript(dataSource, properties), notificationLog,
				jsonMapper.getIfAvailable(JsonMapper::shared), Clock.systemUTC(), outbox.getLease(),
				outbox.getSweepInterval(), outbox.getSweepBatchSize());
	}

	// The database's own script where the jar holds one, the standard SQL one otherwise.
	static String schemaScript(DataSource dataSource, NotifyListenProperties properties) {
		NotifyListenProperties.Schema schema = properties.getOutbox().getJdbc();
		PlatformPlaceholderDatabaseDriverResolver resolver = new PlatformPlaceholderDatabaseDriverResolver();
		String platform = schema.getPlatform();
		String location = ((platform != null) ? resolver.resolveAll(platform, schema.getSchema())
				: resolver.resolveAll(dataSource, schema.getSchema()))
			.get(0);
		if (location.startsWith(SCRIPTS) && !new DefaultResourceLoader().getResource(location).exists()) {
			return GENERIC_SCRIPT;
		}
		return location;
	}

	/**
	 * Creates the outbox table at startup, as
	 * {@code notify-listen.outbox.jdbc.initialize-schema} says; its type lets an
	 * application replace it.
	 */
	public static class NotifyListenOutboxSchemaInitializer extends DataSourceScriptDatabaseInitializer {

		NotifyListenOutboxSchemaInitializer(DataSource dataSource, DatabaseInitializationSettings settings) {
			super(dataSource, settings);
		}

	}

}
