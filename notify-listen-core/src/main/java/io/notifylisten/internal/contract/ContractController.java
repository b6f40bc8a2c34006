package io.notifylisten.internal.contract;

import java.security.Principal;
import java.util.function.Supplier;

import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.ListenDeniedException;
import io.notifylisten.internal.web.JsonError;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /notify-listen/asyncapi.json} and {@code GET /notify-listen/contract.d.ts}:
 * what the pages of this application receive, as an AsyncAPI document and as TypeScript
 * declarations. Both are the same for every caller and hold no secret; the application's
 * security decides who may reach them, and by default only users who hold the listen role
 * may read them (a 403 with a short JSON error for others).
 */
@RestController
public class ContractController {

	/** Path of the AsyncAPI document. */
	public static final String ASYNCAPI_PATH = "/notify-listen/asyncapi.json";

	/** Path of the TypeScript declarations. */
	public static final String TYPESCRIPT_PATH = "/notify-listen/contract.d.ts";

	// Plain text, so that a browser shows it and curl saves it as it is.
	private static final MediaType TYPESCRIPT = MediaType.parseMediaType("text/plain;charset=UTF-8");

	private final Supplier<JsonNode> asyncApi;

	private final Supplier<String> typeScript;

	private final @Nullable ListenAuthorizer listeners;

	/**
	 * Create the controller.
	 * @param contract the contract; read on first request, once every
	 * {@code @NotifyListen} method is registered
	 * @param listeners checks that a reader holds the listen role, or {@code null} to
	 * leave who may read to the application's security alone
	 */
	public ContractController(Supplier<Contract> contract, @Nullable ListenAuthorizer listeners) {
		Supplier<Contract> once = SingletonSupplier.of(contract);
		this.asyncApi = SingletonSupplier.of(() -> AsyncApiDocument.of(once.get()));
		this.typeScript = SingletonSupplier.of(() -> TypeScriptDeclarations.of(once.get()));
		this.listeners = listeners;
	}

	@GetMapping(ASYNCAPI_PATH)
	ResponseEntity<?> asyncApi(@Nullable Principal principal) {
		return readableBy(principal, MediaType.APPLICATION_JSON, this.asyncApi);
	}

	@GetMapping(TYPESCRIPT_PATH)
	ResponseEntity<?> typeScript(@Nullable Principal principal) {
		return readableBy(principal, TYPESCRIPT, this.typeScript);
	}

	// The version and every channel are of use to those who build pages, not to every
	// logged-in user.
	private ResponseEntity<?> readableBy(@Nullable Principal principal, MediaType type, Supplier<?> document) {
		if (this.listeners != null) {
			try {
				this.listeners.checkRole(ListenAuthorizer.requireLogin(principal));
			}
			catch (ListenDeniedException ex) {
				return JsonError.of(HttpStatus.FORBIDDEN, ex.getMessage());
			}
		}
		return ResponseEntity.ok().contentType(type).body(document.get());
	}

}
