package dev.meridian.models.finetune.rest;

import dev.meridian.common.error.OpenAiError;

/** A refusal of a files or fine-tuning call, answered with OpenAI's error body. */
public class FineTuneException extends RuntimeException {

    public final int status;
    public final OpenAiError body;

    public FineTuneException(int status, String code, String param, String message) {
        super(message);
        this.status = status;
        this.body = OpenAiError.of(status >= 500 ? "server_error" : "invalid_request_error", code, param, message);
    }

    public static FineTuneException badRequest(String code, String param, String message) {
        return new FineTuneException(400, code, param, message);
    }

    public static FineTuneException notFound(String what, String id) {
        return new FineTuneException(404, what + "_not_found", null, "No " + what.replace('_', ' ') + " with id '"
                + id + "' exists in your organization. List yours with GET "
                + (what.equals("file") ? "/v1/files." : "/v1/fine_tuning/jobs."));
    }
}
