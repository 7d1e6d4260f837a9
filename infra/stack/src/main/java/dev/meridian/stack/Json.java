package dev.meridian.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The little JSON reading the stack does (tokens, API answers). */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JsonNode parse(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    static String field(String body, String name) {
        JsonNode node = parse(body).get(name);
        if (node == null || node.isNull()) {
            throw new IllegalStateException("answer has no field '" + name + "': " + body);
        }
        return node.asText();
    }
}
