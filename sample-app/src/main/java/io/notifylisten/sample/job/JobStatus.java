package io.notifylisten.sample.job;

/**
 * How far a job has come.
 *
 * @param id job id, also the id in its channels {@code Job/<id>/progress} and
 * {@code Job/<id>/done}
 * @param owner username of who started it
 * @param percent 0 to 100
 * @param text what it is doing
 * @param started whether it has been started
 * @param done whether it has finished
 */
public record JobStatus(String id, String owner, int percent, String text, boolean started, boolean done) {

	JobStatus progress(int percent, String text) {
		return new JobStatus(this.id, this.owner, percent, text, true, false);
	}

	JobStatus finished(String text) {
		return new JobStatus(this.id, this.owner, 100, text, true, true);
	}

}
