package io.notifylisten.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The notify-listen sample: log in as alice, bob or carol (password {@code password}) at
 * http://127.0.0.1:8080 and open the same order in two browsers.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
