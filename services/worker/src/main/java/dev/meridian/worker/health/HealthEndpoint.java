package dev.meridian.worker.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meridian.common.kafka.BatchConsumer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The worker's health over HTTP for its orchestrator's probes (it serves nothing else), in the shape of SmallRye
 * Health's answers: {@code GET /health/ready} is 200 while every consumer takes records and 503 with the one that
 * does not (and why) otherwise; {@code GET /health/live} is 503 once the worker has stopped for good.
 */
public final class HealthEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Supplier<Map<String, BatchConsumer.Health>> consumers;
    private final BooleanSupplier alive;

    private HealthEndpoint(HttpServer server, Supplier<Map<String, BatchConsumer.Health>> consumers,
            BooleanSupplier alive) {
        this.server = server;
        this.consumers = consumers;
        this.alive = alive;
    }

    /** Serves on {@code port} (0: any free port, see {@link #port()}) on every interface. */
    public static HealthEndpoint start(int port, Supplier<Map<String, BatchConsumer.Health>> consumers,
            BooleanSupplier alive) throws IOException {
        var server = HttpServer.create(new InetSocketAddress(port), 16);
        var endpoint = new HealthEndpoint(server, consumers, alive);
        server.createContext("/health/ready", endpoint::ready);
        server.createContext("/health/live", endpoint::live);
        server.setExecutor(null); // the server's own thread: a probe is a few bytes
        server.start();
        return endpoint;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void ready(HttpExchange exchange) throws IOException {
        List<Map<String, Object>> checks = new ArrayList<>();
        boolean up = true;
        for (var entry : consumers.get().entrySet()) {
            var h = entry.getValue();
            up &= h.consuming();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("state", h.state().name());
            data.put("since", h.since().toString());
            data.put("partitions", h.assignment().size());
            if (h.problem() != null) {
                data.put("problem", h.problem());
            }
            checks.add(Map.of("name", entry.getKey(), "status", h.consuming() ? "UP" : "DOWN", "data", data));
        }
        answer(exchange, up, checks);
    }

    private void live(HttpExchange exchange) throws IOException {
        answer(exchange, alive.getAsBoolean(), List.of());
    }

    private static void answer(HttpExchange exchange, boolean up, List<Map<String, Object>> checks)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = JSON.writeValueAsBytes(Map.of("status", up ? "UP" : "DOWN", "checks", checks));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(up ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
