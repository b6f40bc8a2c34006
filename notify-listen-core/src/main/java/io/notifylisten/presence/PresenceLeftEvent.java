package io.notifylisten.presence;

/**
 * A user is no longer present on an object: the last of their pages on it closed or
 * stopped, or the node that served them stopped answering. Every node publishes it once
 * it has learned of it.
 *
 * @param entity entity name
 * @param id entity id
 * @param username the user's name, as authenticated
 * @param member what the other members saw of the user
 */
public record PresenceLeftEvent(String entity, String id, String username, PresenceMember member) {

}
