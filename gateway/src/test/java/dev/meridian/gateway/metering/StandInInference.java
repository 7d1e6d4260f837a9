package dev.meridian.gateway.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A stand-in for the region's inference service that speaks its metering contract (the real one is tested in
 * services/inference): {@code POST /v1/embeddings} answers 200 with {@code X-Meridian-Usage: input_tokens=<words + 2
 * per text>,embedded_items=<texts>} and {@code X-Meridian-Model}; an input containing "bad" gets a 400 without usage
 * headers, "crash" a 500; answers carry {@value #RECEIVED_TRACEPARENT}. Points the gateway at itself through {@code meridian.gateway.inference-url}.
 */
public class StandInInference implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The answer says which trace context the call arrived with (W3C {@code traceparent}, "" when none). */
    static final String RECEIVED_TRACEPARENT = "X-Stand-In-Received-Traceparent";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = start(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("meridian.gateway.inference-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts one on {@code port} (0: any free port); for gateways the tests run as child processes too. */
    public static HttpServer start(int port) throws IOException {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/embeddings", StandInInference::embeddings);
        server.createContext("/v1/models", exchange -> {
            try (exchange) {
                send(exchange, 200, Map.of(), "{\"object\":\"list\",\"data\":[{\"id\":\"all-minilm-l6-v2\","
                        + "\"object\":\"model\",\"owned_by\":\"meridian\"}]}");
            }
        });
        server.start();
        return server;
    }

    private static void embeddings(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String model = request.path("model").asText();
            JsonNode input = request.path("input");
            int texts = input.isArray() ? input.size() : 1;
            long tokens = 0;
            for (JsonNode t : input.isArray() ? input : JSON.createArrayNode().add(input)) {
                String text = t.asText();
                if (text.contains("bad")) {
                    send(exchange, 400, Map.of(), "{\"error\":{\"message\":\"bad input\",\"type\":"
                            + "\"invalid_request_error\",\"param\":\"input\",\"code\":\"invalid_value\"}}");
                    return;
                }
                if (text.contains("crash")) {
                    send(exchange, 500, Map.of(), "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
                    return;
                }
                tokens += text.strip().split("\\s+").length + 2;
            }
            String trace = exchange.getRequestHeaders().getFirst("traceparent");
            send(exchange, 200, Map.of("X-Meridian-Usage", "input_tokens=" + tokens + ",embedded_items=" + texts,
                    "X-Meridian-Model", model, RECEIVED_TRACEPARENT, trace == null ? "" : trace), "{\"object\":\"list\",\"data\":[],\"model\":\"" + model
                    + "\",\"usage\":{\"prompt_tokens\":" + tokens + ",\"total_tokens\":" + tokens + "}}");
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
