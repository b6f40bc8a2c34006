package io.notifylisten.benchmark;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code --thread-cpu}: each server's CPU time by thread, from
 * {@code /proc/<pid>/task/<tid>/stat}, so that the threads a profiler does not sample
 * (garbage collector, compilers, the kernel's share of socket writes) are counted too;
 * and the RabbitMQ server's CPU beside them, which runs on the same cores.
 */
final class ThreadCpu {

	private final Map<String, Long> nanosByThread;

	private ThreadCpu(Map<String, Long> nanosByThread) {
		this.nanosByThread = nanosByThread;
	}

	/**
	 * Read the CPU time of every thread of a process, grouped by thread name without its
	 * digits (the kernel keeps the first 15 characters of a name).
	 * @param pid the process
	 * @return the times so far, empty where there is no {@code /proc}
	 */
	static ThreadCpu of(long pid) {
		Map<String, Long> nanos = new HashMap<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
			for (Path task : tasks) {
				try {
					String stat = Files.readString(task.resolve("stat"));
					String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
						.replaceAll("[0-9]+", "N");
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
					nanos.merge(name, ticks * 10_000_000L, Long::sum);
				}
				catch (IOException | RuntimeException ex) {
					// The thread ended meanwhile.
				}
			}
		}
		catch (IOException ex) {
			// No /proc: nothing to break down.
		}
		return new ThreadCpu(nanos);
	}

	/**
	 * Return the CPU time of the JIT compiler threads.
	 * @return the nanoseconds so far
	 */
	long compilerNanos() {
		return this.nanosByThread.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().contains("CompilerThre"))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	/**
	 * Find the RabbitMQ server on this machine, for its CPU beside the nodes'.
	 * @return its pid, if one runs
	 */
	static OptionalLong broker() {
		return ProcessHandle.allProcesses()
			.filter((process) -> process.info().command().map((command) -> command.endsWith("beam.smp")).orElse(false))
			.mapToLong(ProcessHandle::pid)
			.reduce((first, other) -> first);
	}

	/**
	 * Describe the CPU used since {@code before}, per delivery, largest first.
	 * @param before the earlier reading
	 * @param deliveries the deliveries in between
	 * @param top how many thread groups to name
	 * @return one line
	 */
	String since(ThreadCpu before, long deliveries, int top) {
		List<Map.Entry<String, Long>> used = new ArrayList<>();
		long total = 0;
		for (Map.Entry<String, Long> entry : this.nanosByThread.entrySet()) {
			long delta = entry.getValue() - before.nanosByThread.getOrDefault(entry.getKey(), 0L);
			if (delta > 0) {
				used.add(Map.entry(entry.getKey(), delta));
				total += delta;
			}
		}
		used.sort(Map.Entry.<String, Long>comparingByValue().reversed());
		StringBuilder line = new StringBuilder(
				String.format(Locale.ROOT, "%.2f µs/delivery:", total / 1e3 / Math.max(1, deliveries)));
		for (Map.Entry<String, Long> entry : used.subList(0, Math.min(top, used.size()))) {
			line.append(String.format(Locale.ROOT, " %s %.2f;", entry.getKey(),
					entry.getValue() / 1e3 / Math.max(1, deliveries)));
		}
		return line.toString();
	}

}
