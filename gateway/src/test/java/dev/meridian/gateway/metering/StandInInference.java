package dev.meridian.gateway.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the region's inference service that speaks its metering contract (the real one is tested in
 * services/inference): {@code POST /v1/embeddings} answers 200 with {@code X-Meridian-Usage: input_tokens=<words + 2
 * per text>,embedded_items=<texts>} and {@code X-Meridian-Model}; an input containing "bad" gets a 400 without usage
 * headers, "crash" a 500; answers carry {@value #RECEIVED_TRACEPARENT}. Points the gateway at itself through {@code meridian.gateway.inference-url}.
 * <p>
 * {@code POST /v1/chat/completions} and {@code /v1/completions} generate {@code max_tokens} (default 3) tokens for a
 * prompt of as many tokens as it has words. Unstreamed: {@code X-Meridian-Usage:
 * requests=1,prompt_tokens=P,completion_tokens=N}. With {@code "stream": true}: {@code text/event-stream} with
 * {@code X-Meridian-Usage: requests=1,prompt_tokens=P}, then per token an event and a comment {@code : usage
 * requests=1,prompt_tokens=P,completion_tokens=<so far>}, then {@code data: [DONE]}. A stream whose {@code user} is
 * {@code hold:<id>} stops after its first token (writing {@code : waiting} comments, as a model would write
 * heartbeats) until {@code POST /stand-in/streams/<id>/release}; {@code GET /stand-in/streams/<id>} says what became
 * of it: {@code held}, {@code completed}, or {@code closed} when a write found the connection closed.
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
        server.createContext("/v1/chat/completions", StandInInference::completions);
        server.createContext("/v1/completions", StandInInference::completions);
        server.createContext("/stand-in/streams/", StandInInference::streamControl);
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

    private static final Map<String, String> STREAMS = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> RELEASES = new ConcurrentHashMap<>();

    private static void completions(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String model = request.path("model").asText();
            int completion = request.path("max_tokens").asInt(3);
            StringBuilder prompt = new StringBuilder(request.path("prompt").asText(""));
            request.path("messages").forEach(m -> prompt.append(' ').append(m.path("content").asText()));
            int promptTokens = prompt.toString().strip().split("\\s+").length;
            String usage = "requests=1,prompt_tokens=" + promptTokens;
            if (!request.path("stream").asBoolean(false)) {
                send(exchange, 200, Map.of("X-Meridian-Usage", usage + ",completion_tokens=" + completion,
                        "X-Meridian-Model", model), "{\"object\":\"chat.completion\",\"model\":\"" + model
                        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}],"
                        + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completion + "}}");
                return;
            }
            String user = request.path("user").asText("");
            String hold = user.startsWith("hold:") ? user.substring(5) : null;
            if (hold != null) {
                RELEASES.put(hold, new CountDownLatch(1));
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("X-Meridian-Usage", usage);
            exchange.getResponseHeaders().set("X-Meridian-Model", model);
            exchange.sendResponseHeaders(200, 0); // chunked: each flush is a chunk on the wire
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 1; i <= completion; i++) {
                    write(out, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                            + "{\"content\":\"t" + i + " \"}}]}\n\n: usage " + usage + ",completion_tokens=" + i + "\n\n");
                    if (i == 1 && hold != null) {
                        STREAMS.put(hold, "held");
                        while (!RELEASES.get(hold).await(50, TimeUnit.MILLISECONDS)) {
                            write(out, ": waiting\n\n");
                        }
                    }
                }
                write(out, "data: [DONE]\n\n");
                if (hold != null) {
                    STREAMS.put(hold, "completed");
                }
            } catch (IOException closed) {
                if (hold != null) {
                    STREAMS.put(hold, "closed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void streamControl(HttpExchange exchange) throws IOException {
        try (exchange) {
            String rest = exchange.getRequestURI().getPath().substring("/stand-in/streams/".length());
            if (rest.endsWith("/release")) {
                var latch = RELEASES.get(rest.substring(0, rest.length() - "/release".length()));
                if (latch != null) {
                    latch.countDown();
                }
                send(exchange, 200, Map.of(), "{}");
            } else {
                send(exchange, 200, Map.of(), "{\"state\":\"" + STREAMS.getOrDefault(rest, "unknown") + "\"}");
            }
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
