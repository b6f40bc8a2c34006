package io.notifylisten.internal.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Assumptions;
import org.postgresql.Driver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * A real PostgreSQL for the outbox's tests: Testcontainers' PostgreSQL where Docker runs,
 * otherwise the local server that {@code .ci/postgres start} brings up on 127.0.0.1:5433
 * from Debian's package. Under CI a missing server fails the tests; on a developer
 * machine without either, they are skipped with a message that says how to run them. Each
 * caller works in a schema of its own.
 */
public abstract class PostgresDatabase {

	private static PostgresDatabase instance;

	public static synchronized PostgresDatabase get() {
		if (instance == null) {
			instance = DockerClientFactory.instance().isDockerAvailable() ? new Container() : new Local();
		}
		return instance;
	}

	abstract String baseUrl();

	public abstract String username();

	public abstract String password();

	/**
	 * Create an empty schema and return the JDBC URL that works in it, so that tests
	 * sharing the database do not see each other's outbox.
	 */
	public String freshSchemaUrl() {
		String schema = "outbox_"
				+ UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
		try (Connection connection = DriverManager.getConnection(baseUrl(), username(), password())) {
			connection.createStatement().execute("CREATE SCHEMA " + schema);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create schema " + schema + " on " + baseUrl(), ex);
		}
		return baseUrl() + (baseUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
	}

	/** A data source on a fresh schema. */
	public DataSource freshSchema() {
		return new SimpleDriverDataSource(new Driver(), freshSchemaUrl(), username(), password());
	}

	static final class Container extends PostgresDatabase {

		private final PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");

		Container() {
			this.container.start();
		}

		@Override
		String baseUrl() {
			return this.container.getJdbcUrl();
		}

		@Override
		public String username() {
			return this.container.getUsername();
		}

		@Override
		public String password() {
			return this.container.getPassword();
		}

	}

	static final class Local extends PostgresDatabase {

		Local() {
			try (Connection connection = DriverManager.getConnection(baseUrl(), username(), password())) {
				connection.isValid(5);
			}
			catch (SQLException ex) {
				String help = "No Docker and no PostgreSQL on 127.0.0.1:5433 (" + ex.getMessage() + "); start one with "
						+ "'.ci/postgres start' (Debian) to run the outbox's PostgreSQL tests";
				if (System.getenv("CI") != null) {
					throw new IllegalStateException(help, ex);
				}
				Assumptions.abort(help);
			}
		}

		@Override
		String baseUrl() {
			return "jdbc:postgresql://127.0.0.1:5433/notify_listen";
		}

		@Override
		public String username() {
			return "notify_listen";
		}

		@Override
		public String password() {
			return "notify_listen";
		}

	}

}
