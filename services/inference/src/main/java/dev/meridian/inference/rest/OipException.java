package dev.meridian.inference.rest;

import dev.meridian.common.error.ApiException;


/**
 * A failure on the Open Inference Protocol routes: answered as {@code {"error": "..."}} with the status given, the
 * protocol's error body (it names no code or field, unlike OpenAI's).
 */
public class OipException extends ApiException {

    public OipException(int status, String message) {
        super(status, null, message, null);
    }
}
