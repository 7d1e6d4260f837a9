package dev.meridian.console.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.WebApplicationException;

/**
 * What the API said when it refused: the management API's problem document's {@code detail} (RFC 9457), the tenant
 * API's OpenAI-shaped {@code {"error":{"message",...}}}, or the Open Inference Protocol's {@code {"error":"..."}}.
 */
final class ApiProblem {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiProblem() {
    }

    static String detail(WebApplicationException e) {
        try {
            String body = e.getResponse().getEntity() instanceof String own ? own // a refusal of the console's own
                    : e.getResponse().readEntity(String.class);
            JsonNode doc = JSON.readTree(body);
            JsonNode error = doc.path("error");
            String code = error.path("code").asText("");
            String detail = doc.path("detail").asText(error.isTextual() ? error.asText()
                    : error.path("message").asText("") + (code.isBlank() ? "" : " (" + code + ")"));
            return detail.isBlank() ? "The request was refused (" + e.getResponse().getStatus() + ")." : detail;
        } catch (RuntimeException | java.io.IOException unreadable) {
            return "The request was refused (" + e.getResponse().getStatus() + ").";
        }
    }
}
