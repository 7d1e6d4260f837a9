package dev.meridian.inference.rest;

import dev.meridian.common.error.OpenAiError;

/** A 4xx on the OpenAI-compatible routes, with OpenAI's error body. */
public class OpenAiException extends RuntimeException {

    final int status;
    final OpenAiError body;

    public OpenAiException(int status, String code, String param, String message) {
        super(message);
        this.status = status;
        this.body = OpenAiError.of(status == 404 ? "invalid_request_error" : "invalid_request_error", code, param,
                message);
    }
}
