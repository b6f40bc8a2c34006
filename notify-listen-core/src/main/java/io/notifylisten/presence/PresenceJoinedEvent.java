package io.notifylisten.presence;

/**
 * A user became present on an object: the first of their pages on it, on any node,
 * opened. Every node publishes it once it has learned of the join.
 *
 * @param entity entity name
 * @param id entity id
 * @param username the user's name, as authenticated
 * @param member what the other members see of the user
 */
public record PresenceJoinedEvent(String entity, String id, String username, PresenceMember member) {

}
