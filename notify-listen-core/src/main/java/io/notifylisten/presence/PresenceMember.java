package io.notifylisten.presence;

import org.jspecify.annotations.Nullable;

/**
 * What the pages that share an object's presence see of one member: exactly what the
 * {@link PresenceMemberResolver} returned for that user, nothing more.
 *
 * @param id the member's id, unique per user; pages tell members apart by it
 * @param name the name to show
 * @param avatarUrl a picture to show, or {@code null}
 */
public record PresenceMember(String id, String name, @Nullable String avatarUrl) {

	public PresenceMember {
		if (id == null || id.isEmpty() || name == null) {
			throw new IllegalArgumentException("A presence member needs an id and a name");
		}
	}

}
