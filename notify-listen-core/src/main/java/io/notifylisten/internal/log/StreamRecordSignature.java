package io.notifylisten.internal.log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageBuilder;
import io.notifylisten.internal.log.RejectedRecords.Reason;
import io.notifylisten.internal.security.SubscriptionSigner;
import org.jspecify.annotations.Nullable;

/**
 * Signs the records this node writes to the stream and checks those it reads, with the
 * application's secret ({@code notify-listen.secret}).
 *
 * <p>
 * Why: whoever may write to the stream on the broker could otherwise inject any
 * notification, to any user, or fake presence members on every node. Rights on the broker
 * are granted by whoever runs RabbitMQ; the secret belongs to the application alone.
 *
 * <p>
 * Why HMAC-SHA256: every node already holds the secret, which signs subscriptions and the
 * publish API, so a MAC needs no key per node and no key distribution, and costs
 * microseconds per record. A reader learns that a holder of the secret wrote the record
 * and that it is unchanged.
 *
 * <p>
 * What it covers: the format's version, the stream's name (a record copied from another
 * application's stream, even one with the same secret, does not verify) and every byte of
 * the record's body: id, destination, targeting headers and message. Not covered: a copy
 * of a record written again to the same stream verifies, and nodes drop it by its id
 * while they remember it; nor does it hide anything: whoever reads the stream reads the
 * notifications.
 *
 * <p>
 * The signature and the format's version travel as AMQP application properties beside the
 * body, which stays the JSON of a {@link StreamRecord}: a later format says so in
 * {@value #FORMAT_PROPERTY}, and a node that does not know it drops the record rather
 * than guess.
 */
final class StreamRecordSignature {

	static final String FORMAT_PROPERTY = "notify-listen-format";

	static final String SIGNATURE_PROPERTY = "notify-listen-signature";

	static final String FORMAT = "1";

	private final SubscriptionSigner signer;

	private final byte[] context;

	StreamRecordSignature(SubscriptionSigner signer, String stream) {
		this.signer = signer;
		this.context = ("notify-listen stream record " + FORMAT + "\n" + stream + "\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Build the message of a record, signed.
	 * @param builder a new message builder of the producer
	 * @param body the record's JSON
	 * @return the message to send
	 */
	Message sign(MessageBuilder builder, byte[] body) {
		return builder.applicationProperties()
			.entry(FORMAT_PROPERTY, FORMAT)
			.entry(SIGNATURE_PROPERTY, this.signer.signRaw(this.context, body))
			.messageBuilder()
			.addData(body)
			.build();
	}

	/**
	 * Check a message read from the stream, in constant time.
	 * @param message the message
	 * @return why it is not to be trusted, or {@code null} when it verifies
	 */
	@Nullable Reason check(Message message) {
		Map<String, Object> properties = message.getApplicationProperties();
		Object format = (properties != null) ? properties.get(FORMAT_PROPERTY) : null;
		Object signature = (properties != null) ? properties.get(SIGNATURE_PROPERTY) : null;
		if (format == null || signature == null) {
			return Reason.UNSIGNED;
		}
		if (!FORMAT.equals(String.valueOf(format))) {
			return Reason.UNKNOWN_FORMAT;
		}
		byte[] expected = this.signer.signRaw(this.context, message.getBodyAsBinary())
			.getBytes(StandardCharsets.US_ASCII);
		if (!MessageDigest.isEqual(expected, String.valueOf(signature).getBytes(StandardCharsets.US_ASCII))) {
			return Reason.BAD_SIGNATURE;
		}
		return null;
	}

}
