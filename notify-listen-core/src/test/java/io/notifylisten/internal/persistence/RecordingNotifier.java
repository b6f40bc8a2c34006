package io.notifylisten.internal.persistence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.notify.Notifier;

/**
 * A notifier that records each channel and payload it is given, as the entity's name and
 * id came out of {@link Notifier#notify(Object, String, Map)}.
 */
class RecordingNotifier implements Notifier {

	final List<String> channels = new CopyOnWriteArrayList<>();

	final List<Map<String, Object>> payloads = new CopyOnWriteArrayList<>();

	@Override
	public void notify(String entity, Object id, String action, Map<String, ?> payload) {
		this.channels.add(entity + "/" + id + "/" + action);
		this.payloads.add(new LinkedHashMap<>(payload));
	}

	@Override
	public void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload) {
		throw new UnsupportedOperationException();
	}

}
