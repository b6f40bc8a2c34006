package io.notifylisten.internal.outbox;

import javax.sql.DataSource;

/**
 * The outbox's tests on a real PostgreSQL, where claims skip the rows another node has
 * locked.
 */
class JdbcTransactionalOutboxOnPostgresTests extends JdbcTransactionalOutboxTests {

	@Override
	DataSource dataSource() {
		return PostgresDatabase.get().freshSchema();
	}

	@Override
	String script() {
		return "classpath:io/notifylisten/outbox/schema-postgresql.sql";
	}

}
