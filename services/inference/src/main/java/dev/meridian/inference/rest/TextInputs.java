package dev.meridian.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.common.error.ApiException;
import java.util.ArrayList;
import java.util.List;

/** The OpenAI-style {@code input} of a text endpoint: one string or an array of strings, checked. */
public final class TextInputs {

    private TextInputs() {
    }

    /** The texts of {@code input}, 1 to {@code max} non-empty strings; else a 400 saying what to send. */
    public static List<String> parse(JsonNode input, int max) {
        if (input == null || input.isNull()) {
            throw ApiException.of(400, "missing_parameter", "input", "You must provide `input`: a string or an"
                    + " array of strings.");
        }
        List<String> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(input.asText());
        } else if (input.isArray()) {
            for (JsonNode n : input) {
                if (!n.isTextual()) {
                    throw ApiException.of(400, "invalid_type", "input", "Every element of `input` must be a"
                            + " string (token arrays are not supported).");
                }
                out.add(n.asText());
            }
        } else {
            throw ApiException.of(400, "invalid_type", "input", "`input` must be a string or an array of strings.");
        }
        if (out.isEmpty() || out.size() > max) {
            throw ApiException.of(400, "invalid_value", "input", "`input` must hold 1 to " + max + " strings.");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isEmpty()) {
                throw ApiException.of(400, "invalid_value", "input", "input[" + i + "] is empty.");
            }
        }
        return out;
    }
}
