package io.notifylisten.internal.delivery;

import io.notifylisten.internal.transport.DeliveryOutcomes;

/**
 * The meters {@link Deliveries} tells what became of each message. A type of its own
 * rather than any {@link DeliveryOutcomes}: {@code Deliveries} is one too, since every
 * route reports to it, and would otherwise be found as its own meters.
 */
public interface DeliveryMeters extends DeliveryOutcomes {

	/** Counts nothing: no meter registry. */
	DeliveryMeters NONE = new DeliveryMeters() {
		@Override
		public void delivered(byte[] payload) {
		}

		@Override
		public void dropped(DropReason reason) {
		}
	};

}
