package io.notifylisten.benchmark;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.notifylisten.benchmark.client.DeliveryRecorder;

/**
 * What this machine can do at best for "one notification to N connections": a writer
 * process with N accepted loopback TCP sockets writes one small message to each, the
 * benchmark's process reads them on two selector threads (as the load client's two event
 * loops), and each message's time from the writer's stamp to its read is recorded. No
 * HTTP, WebSocket, STOMP, JSON or security: one write and one read system call per
 * connection and message, and almost nothing else.
 *
 * <p>
 * Why: the fan-out target (p99 under 100 ms for one notification to 10,000 listeners) is
 * set on a two-core machine whose system calls are expensive (a virtual machine); this
 * floor says how much of the 100 ms the kernel alone takes for 10,000 writes and reads,
 * so that the servers' figures can be read against it.
 */
final class SocketFloor {

	/** About the size of the benchmark's notification frames. */
	static final int MESSAGE_BYTES = 300;

	private static final int READERS = 2;

	private SocketFloor() {
	}

	/**
	 * The writer: accepts connections, then writes one stamped message to each of them
	 * per {@code write} line on standard input, and answers {@code written}.
	 * @param args the number of connections and of writer threads
	 */
	public static void main(String[] args) throws Exception {
		int connections = Integer.parseInt(args[0]);
		int threads = Integer.parseInt(args[1]);
		PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
		try (ServerSocketChannel server = ServerSocketChannel.open()) {
			server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
			out.println("port " + ((InetSocketAddress) server.getLocalAddress()).getPort());
			List<SocketChannel> accepted = new ArrayList<>(connections);
			for (int i = 0; i < connections; i++) {
				accepted.add(server.accept());
			}
			out.println("accepted");
			ExecutorService writers = Executors.newFixedThreadPool(threads);
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
			String command;
			while ((command = in.readLine()) != null && command.equals("write")) {
				long stamp = micros(Instant.now());
				List<Future<?>> done = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					int first = t;
					done.add(writers.submit(() -> {
						ByteBuffer message = ByteBuffer.allocate(MESSAGE_BYTES);
						for (int i = first; i < connections; i += threads) {
							message.clear();
							message.putLong(0, stamp);
							accepted.get(i).write(message);
						}
						return null;
					}));
				}
				for (Future<?> future : done) {
					future.get();
				}
				out.println("written");
			}
			writers.shutdownNow();
		}
	}

	/**
	 * Measure: start the writer process, connect, and time {@code rounds} messages to
	 * every connection.
	 * @param connections N
	 * @param rounds messages to each connection, each awaited by all before the next
	 * @param writerThreads threads of the writer process
	 * @param heap the writer's heap
	 * @return the latencies, and each process's CPU time per message
	 */
	static Result measure(int connections, int rounds, int writerThreads, String heap) throws Exception {
		List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + heap, "-cp",
				System.getProperty("java.class.path"), SocketFloor.class.getName(), String.valueOf(connections),
				String.valueOf(writerThreads));
		Process writer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		Runtime.getRuntime().addShutdownHook(new Thread(writer::destroy));
		List<SocketChannel> sockets = new ArrayList<>(connections);
		List<Thread> readers = new ArrayList<>();
		List<Selector> selectors = new ArrayList<>();
		try (BufferedReader fromWriter = new BufferedReader(
				new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII));
				PrintStream toWriter = new PrintStream(writer.getOutputStream(), true, StandardCharsets.US_ASCII)) {
			int port = Integer.parseInt(expect(fromWriter, "port ").substring(5));
			for (int i = 0; i < READERS; i++) {
				selectors.add(Selector.open());
			}
			for (int i = 0; i < connections; i++) {
				SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
				socket.configureBlocking(false);
				socket.register(selectors.get(i % READERS), SelectionKey.OP_READ);
				sockets.add(socket);
			}
			expect(fromWriter, "accepted");
			AtomicReference<DeliveryRecorder> recorder = new AtomicReference<>();
			for (Selector selector : selectors) {
				Thread reader = new Thread(() -> read(selector, recorder), "socket-floor-reader");
				reader.setDaemon(true);
				reader.start();
				readers.add(reader);
			}
			// Two rounds not measured, for the JIT, as the servers get a warm-up.
			for (int round = 0; round < 2; round++) {
				recorder.set(new DeliveryRecorder(connections));
				writeRound(toWriter, fromWriter, recorder.get(), connections);
			}
			DeliveryRecorder measured = new DeliveryRecorder(connections * rounds);
			long[] writerCpu = ServerProcess.cpuNanos(writer.pid());
			long[] ownCpu = ServerProcess.cpuNanos(ProcessHandle.current().pid());
			recorder.set(measured);
			for (int round = 1; round <= rounds; round++) {
				writeRound(toWriter, fromWriter, measured, (long) connections * round);
			}
			long[] writerCpuAfter = ServerProcess.cpuNanos(writer.pid());
			long[] ownCpuAfter = ServerProcess.cpuNanos(ProcessHandle.current().pid());
			double messages = measured.count();
			return new Result(connections, writerThreads, measured.latency(), measured.count(),
					(long) connections * rounds, (writerCpuAfter[0] - writerCpu[0]) / 1000.0 / messages,
					(writerCpuAfter[1] - writerCpu[1]) / 1000.0 / messages,
					(ownCpuAfter[0] - ownCpu[0]) / 1000.0 / messages, (ownCpuAfter[1] - ownCpu[1]) / 1000.0 / messages);
		}
		finally {
			readers.forEach(Thread::interrupt);
			for (Selector selector : selectors) {
				selector.close();
			}
			for (SocketChannel socket : sockets) {
				socket.close();
			}
			writer.destroy();
			writer.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static void writeRound(PrintStream toWriter, BufferedReader fromWriter, DeliveryRecorder recorder,
			long expected) throws Exception {
		toWriter.println("write");
		expect(fromWriter, "written");
		if (!recorder.awaitCount(expected, Duration.ofSeconds(30))) {
			throw new IllegalStateException("Only " + recorder.count() + " of " + expected + " messages arrived");
		}
		Thread.sleep(100);
	}

	private static void read(Selector selector, AtomicReference<DeliveryRecorder> recorder) {
		ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
		try {
			while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
				selector.select();
				Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
				while (ready.hasNext()) {
					SelectionKey key = ready.next();
					ready.remove();
					buffer.clear();
					int read = ((SocketChannel) key.channel()).read(buffer);
					// One message per connection and round: a read holds one, whole or
					// (rarely) in part.
					if (read >= Long.BYTES) {
						recorder.get().record(micros(Instant.now()) - buffer.getLong(0));
					}
				}
			}
		}
		catch (Exception ex) {
			// Closed at the end of the measurement.
		}
	}

	private static String expect(BufferedReader in, String prefix) throws Exception {
		String line = in.readLine();
		if (line == null || !line.startsWith(prefix)) {
			throw new IllegalStateException("The socket-floor writer said " + line + " instead of " + prefix);
		}
		return line;
	}

	private static long micros(Instant instant) {
		return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
	}

	/**
	 * One floor measurement.
	 *
	 * @param connections N
	 * @param writerThreads threads writing
	 * @param latency write stamp to read, over all rounds
	 * @param delivered messages read
	 * @param expected messages written
	 * @param writerCpuMicros the writer process' CPU per message
	 * @param writerSystemMicros the kernel's part of it
	 * @param readerCpuMicros the reading process' CPU per message
	 * @param readerSystemMicros the kernel's part of it
	 */
	record Result(int connections, int writerThreads, DeliveryRecorder.Latency latency, long delivered, long expected,
			double writerCpuMicros, double writerSystemMicros, double readerCpuMicros, double readerSystemMicros) {

	}

}
