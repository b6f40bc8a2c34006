package io.notifylisten.testapp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A WebSocket client on a bare TCP socket, for frames that a real STOMP client would
 * refuse to send: garbage, frames before CONNECT, a thousand headers, an unmasked frame.
 * The framing is written by hand on purpose (RFC 6455, text frames and close only): the
 * point is to send what libraries won't.
 */
public final class RawStompSocket implements AutoCloseable {

	private static final SecureRandom random = new SecureRandom();

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	/** The HTTP status line and headers of the handshake response. */
	public final String handshakeResponse;

	private RawStompSocket(Socket socket, String handshakeResponse) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
		this.handshakeResponse = handshakeResponse;
	}

	/**
	 * Open a WebSocket to the endpoint, with the HTTP session and login of a
	 * {@link ListenerClient}.
	 */
	public static RawStompSocket open(int port, String path, @Nullable ListenerClient http,
			Map<String, String> extraHeaders) throws IOException {
		return open(new Socket("127.0.0.1", port), port, path, http, extraHeaders);
	}

	/**
	 * Open a WebSocket whose receive window is tiny, so that a client that stops reading
	 * makes the server's writes back up at once instead of filling megabytes of kernel
	 * buffers first.
	 */
	public static RawStompSocket openWithSmallReceiveBuffer(int port, String path, ListenerClient http)
			throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(4096);
		socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
		return open(socket, port, path, http, Map.of());
	}

	private static RawStompSocket open(Socket socket, int port, String path, @Nullable ListenerClient http,
			Map<String, String> extraHeaders) throws IOException {
		socket.setSoTimeout(5000);
		byte[] keyBytes = new byte[16];
		random.nextBytes(keyBytes);
		StringBuilder request = new StringBuilder();
		request.append("GET ")
			.append(path)
			.append(" HTTP/1.1\r\n")
			.append("Host: 127.0.0.1:")
			.append(port)
			.append("\r\n")
			.append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
			.append("Sec-WebSocket-Key: ")
			.append(Base64.getEncoder().encodeToString(keyBytes))
			.append("\r\n")
			.append("Sec-WebSocket-Version: 13\r\n")
			.append("Sec-WebSocket-Protocol: v12.stomp\r\n");
		if (http != null) {
			http.authorization().ifPresent((value) -> request.append("Authorization: ").append(value).append("\r\n"));
			String cookies = http.cookieHeader();
			if (!cookies.isEmpty()) {
				request.append("Cookie: ").append(cookies).append("\r\n");
			}
		}
		extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
		request.append("\r\n");
		socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
		ByteArrayOutputStream response = new ByteArrayOutputStream();
		InputStream in = socket.getInputStream();
		while (!response.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			response.write(b);
		}
		return new RawStompSocket(socket, response.toString(StandardCharsets.ISO_8859_1));
	}

	public boolean upgraded() {
		return this.handshakeResponse.startsWith("HTTP/1.1 101");
	}

	/** Send a STOMP frame built from a command, headers and body. */
	public void sendFrame(String command, Map<String, String> headers, String body) throws IOException {
		StringBuilder frame = new StringBuilder(command).append('\n');
		headers.forEach((name, value) -> frame.append(name).append(':').append(value).append('\n'));
		frame.append('\n').append(body).append('\0');
		sendText(frame.toString().getBytes(StandardCharsets.UTF_8), true);
	}

	/** Send raw bytes as one WebSocket text frame, masked as a client must, or not. */
	public void sendText(byte[] payload, boolean masked) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x81);
		int maskBit = masked ? 0x80 : 0;
		if (payload.length < 126) {
			frame.write(maskBit | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(maskBit | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length & 0xFF);
		}
		else {
			frame.write(maskBit | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) (((long) payload.length >>> shift) & 0xFF));
			}
		}
		byte[] mask = new byte[4];
		if (masked) {
			random.nextBytes(mask);
			frame.write(mask);
		}
		for (int i = 0; i < payload.length; i++) {
			frame.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
		}
		this.out.write(frame.toByteArray());
		this.out.flush();
	}

	/**
	 * Read server frames until the connection closes or the time is up.
	 * @return the text of every STOMP frame received, and whether the server closed the
	 * connection
	 */
	public Received readUntilClosed(Duration timeout) throws IOException {
		return read(Integer.MAX_VALUE, timeout);
	}

	/**
	 * Read until {@code count} STOMP frames arrived, the connection closed, or the time
	 * is up.
	 */
	public Received read(int count, Duration timeout) throws IOException {
		List<String> frames = new ArrayList<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Arrival arrival = next(deadline);
			if (arrival == null) {
				return new Received(frames, false);
			}
			if (arrival == CLOSED) {
				return new Received(frames, true);
			}
			if (!arrival.isHeartbeat()) {
				// A heart-beat may lead the frames of a message: the server joins what
				// waits for a connection.
				frames.add(arrival.text().stripLeading());
				if (frames.size() >= count) {
					return new Received(frames, false);
				}
			}
		}
		return new Received(frames, false);
	}

	/**
	 * Read every WebSocket message, heart-beats included, with the moment it arrived,
	 * until {@code count} messages arrived, the connection closed, or the time is up.
	 * @return what arrived, in order, and whether the server closed the connection
	 */
	public Arrivals readArrivals(int count, Duration timeout) throws IOException {
		List<Arrival> arrivals = new ArrayList<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Arrival arrival = next(deadline);
			if (arrival == null) {
				break;
			}
			if (arrival == CLOSED) {
				return new Arrivals(arrivals, true);
			}
			arrivals.add(arrival);
			if (arrivals.size() >= count) {
				break;
			}
		}
		return new Arrivals(arrivals, false);
	}

	private static final Arrival CLOSED = new Arrival(0, "");

	/**
	 * The next text or binary message, {@link #CLOSED}, or {@code null} once the deadline
	 * passed.
	 */
	private @Nullable Arrival next(long deadline) throws IOException {
		while (true) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return null;
			}
			this.socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
			try {
				int first = this.in.read();
				if (first < 0) {
					return CLOSED;
				}
				int opcode = first & 0x0F;
				long length = this.in.read() & 0x7F;
				if (length == 126) {
					length = (this.in.read() << 8) | this.in.read();
				}
				else if (length == 127) {
					length = 0;
					for (int i = 0; i < 8; i++) {
						length = (length << 8) | this.in.read();
					}
				}
				byte[] payload = this.in.readNBytes((int) length);
				long arrived = System.nanoTime();
				if (opcode == 0x8) {
					return CLOSED;
				}
				if (opcode == 0x1 || opcode == 0x2) {
					return new Arrival(arrived, new String(payload, StandardCharsets.UTF_8));
				}
			}
			catch (SocketTimeoutException ex) {
				return null;
			}
			catch (IOException ex) {
				return CLOSED;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * What the server sent.
	 *
	 * @param frames the STOMP frames, as text
	 * @param closed whether the server closed the connection
	 */
	public record Received(List<String> frames, boolean closed) {

		/** The {@code message} header of the first ERROR frame, or {@code null}. */
		public @Nullable String error() {
			for (String frame : this.frames) {
				if (frame.startsWith("ERROR\n")) {
					for (String line : frame.split("\n")) {
						if (line.startsWith("message:")) {
							return line.substring("message:".length());
						}
					}
					return "";
				}
			}
			return null;
		}

		/** A header of the first frame, or {@code null}. */
		public @Nullable String header(String name) {
			if (this.frames.isEmpty()) {
				return null;
			}
			for (String line : this.frames.get(0).split("\n")) {
				if (line.isEmpty()) {
					return null;
				}
				if (line.startsWith(name + ":")) {
					return line.substring(name.length() + 1);
				}
			}
			return null;
		}

		public long messages() {
			return this.frames.stream().filter((frame) -> frame.startsWith("MESSAGE\n")).count();
		}

	}

	/**
	 * One WebSocket message from the server.
	 *
	 * @param nanos when it arrived, on {@link System#nanoTime()}'s scale
	 * @param text its text: one or more STOMP frames, heart-beats, or both
	 */
	public record Arrival(long nanos, String text) {

		/** Whether it holds nothing but heart-beats (end-of-line characters). */
		public boolean isHeartbeat() {
			return this.text.isBlank();
		}

	}

	/**
	 * The messages the server sent.
	 *
	 * @param arrivals every WebSocket message, heart-beats included, in order
	 * @param closed whether the server closed the connection
	 */
	public record Arrivals(List<Arrival> arrivals, boolean closed) {

	}

}
