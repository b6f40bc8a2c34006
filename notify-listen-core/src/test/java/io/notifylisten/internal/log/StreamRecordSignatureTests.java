package io.notifylisten.internal.log;

import java.nio.charset.StandardCharsets;

import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.codec.WrapperMessageBuilder;
import io.notifylisten.internal.log.RejectedRecords.Reason;
import io.notifylisten.internal.security.SubscriptionSigner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamRecordSignatureTests {

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	private static final byte[] RECORD = "{\"id\":\"1\",\"destination\":\"/topic/shop.Order.1.shipped\"}"
		.getBytes(StandardCharsets.UTF_8);

	private final StreamRecordSignature signature = signature(SECRET, "notify-listen.shop");

	@Test
	void aRecordSignedByANodeOfTheApplicationVerifies() {
		assertThat(this.signature.check(this.signature.sign(new WrapperMessageBuilder(), RECORD))).isNull();
	}

	@Test
	void aRecordWrittenWithoutASignatureIsUnsigned() {
		Message written = new WrapperMessageBuilder().addData(RECORD).build();

		assertThat(this.signature.check(written)).isEqualTo(Reason.UNSIGNED);
	}

	@Test
	void aRecordSignedWithAnotherSecretDoesNotVerify() {
		Message forged = signature("another-secret-0123456789abcdef0123", "notify-listen.shop")
			.sign(new WrapperMessageBuilder(), RECORD);

		assertThat(this.signature.check(forged)).isEqualTo(Reason.BAD_SIGNATURE);
	}

	@Test
	void aRecordCopiedFromAnotherApplicationsStreamDoesNotVerifyEvenUnderTheSameSecret() {
		Message copied = signature(SECRET, "notify-listen.other").sign(new WrapperMessageBuilder(), RECORD);

		assertThat(this.signature.check(copied)).isEqualTo(Reason.BAD_SIGNATURE);
	}

	@Test
	void aChangedRecordDoesNotVerifyWithTheSignatureOfTheOriginal() {
		Message original = this.signature.sign(new WrapperMessageBuilder(), RECORD);
		byte[] changed = new String(RECORD, StandardCharsets.UTF_8).replace("Order.1", "Order.2")
			.getBytes(StandardCharsets.UTF_8);
		Message tampered = new WrapperMessageBuilder().applicationProperties()
			.entry(StreamRecordSignature.FORMAT_PROPERTY, StreamRecordSignature.FORMAT)
			.entry(StreamRecordSignature.SIGNATURE_PROPERTY,
					(String) original.getApplicationProperties().get(StreamRecordSignature.SIGNATURE_PROPERTY))
			.messageBuilder()
			.addData(changed)
			.build();

		assertThat(this.signature.check(tampered)).isEqualTo(Reason.BAD_SIGNATURE);
	}

	@Test
	void aFormatThisNodeDoesNotKnowIsDroppedRatherThanGuessed() {
		Message newer = new WrapperMessageBuilder().applicationProperties()
			.entry(StreamRecordSignature.FORMAT_PROPERTY, "2")
			.entry(StreamRecordSignature.SIGNATURE_PROPERTY, "00")
			.messageBuilder()
			.addData(RECORD)
			.build();

		assertThat(this.signature.check(newer)).isEqualTo(Reason.UNKNOWN_FORMAT);
	}

	private static StreamRecordSignature signature(String secret, String stream) {
		return new StreamRecordSignature(new SubscriptionSigner("shop", secret), stream);
	}

}
