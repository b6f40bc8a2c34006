package io.notifylisten.sample.job;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.notifylisten.notify.Notifier;
import io.notifylisten.notify.Progress;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Runs pretend long-running jobs on a background thread: ten steps of half a second, each
 * one notified as {@code Job/<id>/progress} with {@code {percent, text}}, then
 * {@code Job/<id>/done}.
 *
 * <p>
 * A job is created and started in two steps so that the page can subscribe in between: a
 * notification sent before anyone listens is lost, not queued.
 */
@Service
public class JobRunner implements DisposableBean {

	static final int STEPS = 10;

	private static final Duration STEP = Duration.ofMillis(500);

	// A sample keeps its jobs in memory; this bound keeps a page left reloading from
	// growing it forever.
	private static final int MAX_JOBS = 200;

	private final Notifier notifier;

	private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();

	private final AtomicInteger threads = new AtomicInteger();

	private final ExecutorService executor = Executors.newFixedThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "sample-job-" + this.threads.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	});

	JobRunner(Notifier notifier) {
		this.notifier = notifier;
	}

	/**
	 * Create a job, not yet started.
	 * @param owner who creates it
	 * @return its status
	 */
	public JobStatus create(String owner) {
		if (this.jobs.size() >= MAX_JOBS) {
			this.jobs.values().removeIf(JobStatus::done);
		}
		JobStatus job = new JobStatus(UUID.randomUUID().toString(), owner, 0, "Waiting to start", false, false);
		this.jobs.put(job.id(), job);
		return job;
	}

	/**
	 * Start a job of this owner.
	 * @param id job id
	 * @param owner who starts it
	 * @return its status, or empty if this owner has no such job
	 */
	public Optional<JobStatus> start(String id, String owner) {
		JobStatus job = this.jobs.get(id);
		if (job == null || !job.owner().equals(owner)) {
			return Optional.empty();
		}
		if (!job.started()) {
			JobStatus running = job.progress(0, "Starting");
			this.jobs.put(id, running);
			this.executor.execute(() -> run(running));
		}
		return Optional.of(this.jobs.get(id));
	}

	/**
	 * Return a job's status.
	 * @param id job id
	 * @return its status, or empty
	 */
	public Optional<JobStatus> status(String id) {
		return Optional.ofNullable(this.jobs.get(id));
	}

	private void run(JobStatus job) {
		JobStatus current = job;
		// The handle coalesces updates, so a job may report as often as it likes.
		Progress progress = this.notifier.progress("Job", job.id());
		try {
			for (int step = 1; step <= STEPS; step++) {
				Thread.sleep(STEP.toMillis());
				int percent = step * 100 / STEPS;
				current = current.progress(percent, "Step " + step + " of " + STEPS);
				this.jobs.put(job.id(), current);
				progress.update(percent, current.text());
			}
			current = current.finished("Finished");
			this.jobs.put(job.id(), current);
			progress.done(current.text());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			progress.failed("Stopped");
		}
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
