package io.notifylisten.internal.broker;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Remembers a value computed from an object that every message of one fan-out shares: the
 * embedded broker hands each subscriber the same payload array and the same destination
 * string, so a fan-out to many connections computes the value once instead of once per
 * connection. Keys are compared with {@code equals}, which is identity for arrays: where
 * each connection gets a destination string of its own, equal strings still share one
 * computation. Several slots, because the outbound threads interleave the fan-outs of
 * notifications sent close together; two keys in one slot only mean computing again.
 *
 * @param <K> the shared object; its value must depend only on what {@code equals}
 * compares
 * @param <V> what is computed from it
 */
public final class FanOutMemo<K, V> {

	private static final int SLOTS = 32;

	private final AtomicReferenceArray<Entry<K, V>> recent = new AtomicReferenceArray<>(SLOTS);

	private final Function<K, @Nullable V> compute;

	/**
	 * Create a memo.
	 * @param compute what to compute from a key not seen lately; may return {@code null}
	 */
	public FanOutMemo(Function<K, @Nullable V> compute) {
		this.compute = compute;
	}

	/**
	 * Return the value for this key, computing it unless it was computed lately for this
	 * key or one equal to it.
	 * @param key the shared object
	 * @return the value, or {@code null} where the computation gave none
	 */
	public @Nullable V get(K key) {
		int slot = key.hashCode() & (SLOTS - 1);
		Entry<K, V> entry = this.recent.get(slot);
		if (entry != null && (entry.key() == key || entry.key().equals(key))) {
			return entry.value();
		}
		V value = this.compute.apply(key);
		this.recent.set(slot, new Entry<>(key, value));
		return value;
	}

	private record Entry<K, V>(K key, @Nullable V value) {

	}

}
