package io.notifylisten.internal.contract;

import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /notify-listen/asyncapi.json} and {@code GET /notify-listen/contract.d.ts}: what the
 * pages of this application receive, as an AsyncAPI document and as TypeScript declarations. Both
 * are the same for every caller and hold no secret; the application's security decides who may
 * read them.
 */
@RestController
public class ContractController {

	/** Path of the AsyncAPI document. */
	public static final String ASYNCAPI_PATH = "/notify-listen/asyncapi.json";

	/** Path of the TypeScript declarations. */
	public static final String TYPESCRIPT_PATH = "/notify-listen/contract.d.ts";

	private final Supplier<JsonNode> asyncApi;

	private final Supplier<String> typeScript;

	/**
	 * Create the controller.
	 * @param contract the contract; read on first request, once every {@code @NotifyListen} method is
	 * registered
	 */
	public ContractController(Supplier<Contract> contract) {
		Supplier<Contract> once = SingletonSupplier.of(contract);
		this.asyncApi = SingletonSupplier.of(() -> AsyncApiDocument.of(once.get()));
		this.typeScript = SingletonSupplier.of(() -> TypeScriptDeclarations.of(once.get()));
	}

	@GetMapping(path = ASYNCAPI_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	JsonNode asyncApi() {
		return this.asyncApi.get();
	}

	// Plain text, so that a browser shows it and curl saves it as it is.
	@GetMapping(path = TYPESCRIPT_PATH, produces = "text/plain;charset=UTF-8")
	String typeScript() {
		return this.typeScript.get();
	}

}
