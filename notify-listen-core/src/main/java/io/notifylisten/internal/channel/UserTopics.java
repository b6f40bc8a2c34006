package io.notifylisten.internal.channel;

/**
 * Names the topic that carries one user's messages on every node. The name hides the
 * username: it is derived with the secret, so that nobody can name another user's topic.
 */
@FunctionalInterface
public interface UserTopics {

	/**
	 * Return a user's topic.
	 * @param username the user
	 * @return the destination, for example {@code /topic/shop.u.3f9c...}
	 */
	String topicOf(String username);

}
