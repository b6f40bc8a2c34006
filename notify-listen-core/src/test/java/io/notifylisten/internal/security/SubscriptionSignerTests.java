package io.notifylisten.internal.security;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionSignerTests {

	private static final String SECRET = "7ad3773142a6692b25b8dd0ca1a48e1a";

	private final SubscriptionSigner signer = new SubscriptionSigner("278d425bdf160c739803", SECRET);

	@Test
	void signsInPushersFormat() throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		String expected = HexFormat.of()
			.formatHex(mac.doFinal("1234.1234:Order/1/refresh".getBytes(StandardCharsets.UTF_8)));

		assertThat(this.signer.sign("1234.1234", "Order/1/refresh")).isEqualTo("278d425bdf160c739803:" + expected);
	}

	@Test
	void signsBytesInPartsAsOneHmacOverAllOfThem() throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		byte[] body = { '{', (byte) 0xff, '}' };
		mac.update("context\n".getBytes(StandardCharsets.UTF_8));

		assertThat(this.signer.signRaw("context\n".getBytes(StandardCharsets.UTF_8), body))
			.isEqualTo(HexFormat.of().formatHex(mac.doFinal(body)));
	}

	@Test
	void verifiesOnlyTheSameConnectionAndChannel() {
		String signature = this.signer.sign("conn-a", "Order/1/refresh");
		assertThat(this.signer.verify("conn-a", "Order/1/refresh", signature)).isTrue();
		assertThat(this.signer.verify("conn-b", "Order/1/refresh", signature)).isFalse();
		assertThat(this.signer.verify("conn-a", "Order/2/refresh", signature)).isFalse();
		assertThat(this.signer.verify("conn-a", "Order/1/refresh", null)).isFalse();
	}

	@Test
	void refusesSignatureOfAnotherSecretOrTamperedOne() {
		String other = new SubscriptionSigner("278d425bdf160c739803", SECRET.replace('7', '8')).sign("conn-a",
				"Order/1/refresh");
		assertThat(this.signer.verify("conn-a", "Order/1/refresh", other)).isFalse();
		String original = this.signer.sign("conn-a", "Order/1/refresh");
		char last = original.charAt(original.length() - 1);
		String tampered = original.substring(0, original.length() - 1) + ((last == '0') ? '1' : '0');
		assertThat(this.signer.verify("conn-a", "Order/1/refresh", tampered)).isFalse();
		assertThat(this.signer.verify("conn-a", "Order/1/refresh", original.substring(1))).isFalse();
	}

	@Test
	void neverPrintsTheSecret() {
		assertThat(this.signer.toString()).doesNotContain(SECRET);
	}

}
