package io.notifylisten.internal.outbox;

import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of the outbox table. A row is one notification: its id (the id every node drops
 * a second copy by), an identity that orders rows as they were written, the node that
 * wrote it, the node that publishes it and until when (epoch milliseconds, so that no
 * time zone gets between nodes), and the notification as JSON.
 */
final class OutboxTable {

	static final String NAME = "NOTIFY_LISTEN_OUTBOX";

	private static final Set<String> SKIP_LOCKED_PRODUCTS = Set.of("postgresql", "h2", "mysql", "mariadb", "oracle");

	private final JdbcTemplate jdbc;

	// The outbox's own work (claims, deletes) in transactions of its own, whatever the
	// application's transaction manager is.
	private final TransactionTemplate transactions;

	private final String schemaScript;

	private volatile String lockClause = " FOR UPDATE";

	/**
	 * @param dataSource the application's database
	 * @param schemaScript the script that creates the table on this database, named in
	 * errors
	 */
	OutboxTable(DataSource dataSource, String schemaScript) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.schemaScript = schemaScript;
	}

	/**
	 * Check that the table is there with its columns, and learn whether the database can
	 * skip rows another node has locked.
	 * @throws IllegalStateException naming the script and property that create the table
	 */
	void check() {
		try {
			this.jdbc
				.queryForList("SELECT ID, SEQ, ORIGIN, NODE, LEASE_UNTIL, NOTIFICATION FROM " + NAME + " WHERE 1 = 0");
			String product = JdbcUtils.extractDatabaseMetaData(this.jdbc.getDataSource(),
					DatabaseMetaData::getDatabaseProductName);
			// Without SKIP LOCKED a sweep waits for another node's claim, which is short;
			// with it, it goes on at once.
			if (SKIP_LOCKED_PRODUCTS.contains(product.toLowerCase(Locale.ROOT))) {
				this.lockClause = " FOR UPDATE SKIP LOCKED";
			}
		}
		catch (DataAccessException | org.springframework.jdbc.support.MetaDataAccessException ex) {
			throw new IllegalStateException(refusal(ex), ex);
		}
	}

	/** Write a row on the current transaction's connection. */
	void insert(String id, String node, long leaseUntil, String notification) {
		this.jdbc.update(
				"INSERT INTO " + NAME + " (ID, ORIGIN, NODE, LEASE_UNTIL, NOTIFICATION) VALUES (?, ?, ?, ?, ?)", id,
				node, node, leaseUntil, notification);
	}

	/** Keep the rows a live node publishes from being claimed by another. */
	void renew(String node, long leaseUntil) {
		this.jdbc.update("UPDATE " + NAME + " SET LEASE_UNTIL = ? WHERE NODE = ?", leaseUntil, node);
	}

	/**
	 * Take rows whose lease ran out for {@code node} until {@code leaseUntil}: up to
	 * {@code max} of the oldest, all written by one node, in the order it wrote them.
	 * Takes none while an older row of that node is held by another, and stops before a
	 * row another node holds: publishing what follows such a row first would break the
	 * order of that node's notifications.
	 */
	List<Row> claim(String node, long now, long leaseUntil, int max) {
		List<Row> claimed = this.transactions.execute((status) -> {
			List<String> origins = this.jdbc.queryForList(
					"SELECT ORIGIN FROM " + NAME + " WHERE LEASE_UNTIL < ? ORDER BY SEQ FETCH FIRST 1 ROWS ONLY",
					String.class, now);
			if (origins.isEmpty()) {
				return List.of();
			}
			String origin = origins.get(0);
			List<Row> rows = this.jdbc.query(
					"SELECT ID, SEQ, LEASE_UNTIL, NOTIFICATION FROM " + NAME
							+ " WHERE ORIGIN = ? ORDER BY SEQ FETCH FIRST " + max + " ROWS ONLY" + this.lockClause,
					(result, index) -> new Row(result.getString(1), result.getLong(2), result.getLong(3),
							result.getString(4)),
					origin);
			if (rows.isEmpty()) {
				return List.of();
			}
			// Every row of that node up to the last one locked here, locked by others or
			// not: the rows taken must be the first of them, without a gap another node
			// holds.
			List<Long> written = this.jdbc.queryForList(
					"SELECT SEQ FROM " + NAME + " WHERE ORIGIN = ? AND SEQ <= ? ORDER BY SEQ", Long.class, origin,
					rows.get(rows.size() - 1).seq());
			List<Row> taken = new ArrayList<>(rows.size());
			for (Row row : rows) {
				int index = taken.size();
				if (index >= written.size() || written.get(index) != row.seq() || row.leaseUntil() >= now) {
					break;
				}
				taken.add(row);
			}
			this.jdbc.batchUpdate("UPDATE " + NAME + " SET NODE = ?, LEASE_UNTIL = ? WHERE ID = ?", taken, 256,
					(statement, row) -> {
						statement.setString(1, node);
						statement.setLong(2, leaseUntil);
						statement.setString(3, row.id());
					});
			return taken;
		});
		return (claimed != null) ? claimed : List.of();
	}

	/** Hand rows the log refused to the next sweep of any node. */
	void release(Collection<String> ids) {
		this.transactions.executeWithoutResult(
				(status) -> this.jdbc.batchUpdate("UPDATE " + NAME + " SET NODE = NULL, LEASE_UNTIL = 0 WHERE ID = ?",
						ids, 256, (statement, id) -> statement.setString(1, id)));
	}

	/** Delete the rows the log holds for good. */
	void delete(Collection<String> ids) {
		this.transactions
			.executeWithoutResult((status) -> this.jdbc.batchUpdate("DELETE FROM " + NAME + " WHERE ID = ?", ids, 256,
					(statement, id) -> statement.setString(1, id)));
	}

	/** Why the database refused, and how to create the table. */
	String refusal(Exception ex) {
		return "The database refused the notification outbox table " + NAME + " (" + rootMessage(ex)
				+ "). Create it with " + this.schemaScript + " (in your Flyway or Liquibase migrations), or set "
				+ "notify-listen.outbox.jdbc.initialize-schema=always to have it created at startup";
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return String.valueOf(cause.getMessage());
	}

	/**
	 * A row claimed by a sweep.
	 *
	 * @param id the notification's id
	 * @param seq the order in which rows were written
	 * @param leaseUntil until when its publisher holds it
	 * @param notification the notification as JSON
	 */
	record Row(String id, long seq, long leaseUntil, String notification) {
	}

}
