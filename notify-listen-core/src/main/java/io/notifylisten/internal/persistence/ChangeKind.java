package io.notifylisten.internal.persistence;

/**
 * What happened to a row, as Hibernate wrote it.
 */
enum ChangeKind {

	CREATED, UPDATED, DELETED

}
