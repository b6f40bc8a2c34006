package io.notifylisten.sample.job;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jobs API: create a job, start it once its page listens, read its status.
 */
@RestController
class JobController {

	private final JobRunner jobs;

	JobController(JobRunner jobs) {
		this.jobs = jobs;
	}

	@PostMapping("/api/jobs")
	ResponseEntity<JobStatus> create(Authentication user) {
		return ResponseEntity.status(HttpStatus.CREATED).body(this.jobs.create(user.getName()));
	}

	@PostMapping("/api/jobs/{id}/start")
	ResponseEntity<JobStatus> start(@PathVariable String id, Authentication user) {
		return ResponseEntity.of(this.jobs.start(id, user.getName()));
	}

	@GetMapping("/api/jobs/{id}")
	ResponseEntity<JobStatus> status(@PathVariable String id) {
		return ResponseEntity.of(this.jobs.status(id));
	}

}
