package dev.meridian.models.registry.rest;

import dev.meridian.common.error.OpenAiError;

/** A refusal on the registry API, answered with OpenAI's error body and the status given. */
public class RegistryException extends RuntimeException {

    final int status;
    final OpenAiError body;

    public RegistryException(int status, String code, String param, String message) {
        super(message);
        this.status = status;
        this.body = OpenAiError.of(status >= 500 ? "server_error" : status == 403 ? "permission_error"
                : "invalid_request_error", code, param, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return body.error().code();
    }

    public static RegistryException modelNotFound(String name) {
        return new RegistryException(404, "model_not_found", "model", "The model '" + name + "' does not exist or"
                + " you do not have access to it. GET /v1/models lists the models you can use.");
    }
}
