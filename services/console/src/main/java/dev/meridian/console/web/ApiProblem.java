package dev.meridian.console.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.WebApplicationException;

/** What the API said when it refused: its problem document's {@code detail} (RFC 9457), or its OpenAI-style error. */
final class ApiProblem {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiProblem() {
    }

    static String detail(WebApplicationException e) {
        try {
            String body = e.getResponse().getEntity() instanceof String own ? own // a refusal of the console's own
                    : e.getResponse().readEntity(String.class);
            JsonNode doc = JSON.readTree(body);
            String detail = doc.path("detail").asText(doc.path("error").path("message").asText(""));
            return detail.isBlank() ? "The request was refused (" + e.getResponse().getStatus() + ")." : detail;
        } catch (RuntimeException | java.io.IOException unreadable) {
            return "The request was refused (" + e.getResponse().getStatus() + ").";
        }
    }
}
