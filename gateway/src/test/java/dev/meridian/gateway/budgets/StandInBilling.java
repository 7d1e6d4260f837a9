package dev.meridian.gateway.budgets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for the billing service's gateway-facing contract, for gateway tests while billing is built elsewhere:
 * lease requests are answered from a per-tenant plan the test sets ({@link #grant} or {@link #block}), settlements and
 * {@code /api/v1/billing/*} calls are recorded; rate-limit slices are granted in full unless the test limits the key
 * ({@link #rateTokens}). Points the gateway at itself with {@code meridian.gateway.billing-url}.
 */
public class StandInBilling implements QuarkusTestResourceLifecycleManager {

    /** What arrived: method, path, the Authorization and X-Meridian-* headers, the body. */
    public record Call(String method, String path, Map<String, String> headers, String body) {
    }

    private record Plan(boolean blocked, Long sliceNanos, String reason, String message, long seconds) {
    }

    public static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    private static final Map<String, Plan> PLANS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prices of the stand-in's price book: a request 1000 nanos, a token 10. */
    public static final Map<String, Long> PRICES = Map.of("requests", 1000L, "input_tokens", 10L);

    private HttpServer server;

    /** Every lease for the tenant grants a slice of this many nano-minor units, for 60 s. */
    public static void grant(UUID tenant, long sliceNanos) {
        PLANS.put(tenant.toString(), new Plan(false, sliceNanos, null, null, 60));
    }

    public static void block(UUID tenant, String reason, String message) {
        PLANS.put(tenant.toString(), new Plan(true, 0L, reason, message, 60));
    }

    /** Every lease for the tenant limits nothing (no hard budget, no plan quantities) and lasts {@code seconds}. */
    public static void unlimited(UUID tenant, long seconds) {
        PLANS.put(tenant.toString(), new Plan(false, null, null, null, seconds));
    }

    /** While down, every lease request and settlement is answered 503, as a billing that is gone. */
    public static volatile boolean down;
    /** Lease requests answered 503 while down. */
    public static final java.util.concurrent.atomic.AtomicInteger REFUSED = new java.util.concurrent.atomic.AtomicInteger();

    private static final Map<String, java.util.concurrent.atomic.AtomicInteger> RATE_TOKENS = new ConcurrentHashMap<>();

    /**
     * The key's rate-limit bucket holds {@code tokens} in all: slices are granted from them, then none, with the next
     * token due in 5 s. A key not named here gets every slice it asks for.
     */
    public static void rateTokens(UUID key, int tokens) {
        RATE_TOKENS.put(key.toString(), new java.util.concurrent.atomic.AtomicInteger(tokens));
    }

    public static List<Call> calls(String pathPrefix) {
        return CALLS.stream().filter(c -> c.path().startsWith(pathPrefix)).toList();
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", StandInBilling::handle);
        server.start();
        return Map.of("meridian.gateway.billing-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var headers = new java.util.TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> {
                if (k.equalsIgnoreCase("Authorization") || k.toLowerCase().startsWith("x-meridian-")
                        || k.equalsIgnoreCase("x-request-id")) {
                    headers.put(k, String.join(",", v));
                }
            });
            String path = exchange.getRequestURI().toString();
            CALLS.add(new Call(exchange.getRequestMethod(), path, java.util.Collections.unmodifiableMap(headers),
                    body));
            if (down && path.startsWith("/internal/v1/leases")) {
                REFUSED.incrementAndGet();
                send(exchange, 503, "{\"title\":\"billing is down\"}");
            } else if (path.equals("/internal/v1/rate-leases")) {
                JsonNode request = JSON.readTree(body);
                int want = request.path("want").asInt();
                var left = RATE_TOKENS.get(request.path("key_id").asText());
                int granted = left == null ? want : Math.max(0, Math.min(want, left.getAndAdd(-want)));
                send(exchange, 200, JSON.writeValueAsString(Map.of("key_id", request.path("key_id").asText(),
                        "granted", granted, "expires_in_ms", 1000, "next_token_in_ms", granted < want ? 5000 : 0,
                        "full_in_ms", 3000)));
            } else if (path.equals("/internal/v1/leases")) {
                JsonNode request = JSON.readTree(body);
                String tenant = request.path("tenant_id").asText();
                Plan plan = PLANS.getOrDefault(tenant, new Plan(false, 1_000_000_000L, null, null, 60));
                var lease = new java.util.LinkedHashMap<String, Object>();
                lease.put("lease_id", UUID.randomUUID().toString());
                lease.put("tenant_id", tenant);
                lease.put("state", plan.blocked() ? "blocked" : "granted");
                lease.put("currency", "EUR");
                lease.put("expires_at", Instant.now().plusSeconds(plan.seconds()).toString());
                if (plan.blocked()) {
                    lease.put("reason", plan.reason());
                    lease.put("message", plan.message());
                } else {
                    if (plan.sliceNanos() != null) {
                        lease.put("budget_nanos", plan.sliceNanos());
                    }
                    lease.put("prices_nanos", PRICES);
                }
                send(exchange, 200, JSON.writeValueAsString(lease));
            } else if (path.startsWith("/internal/v1/leases/") && path.endsWith("/settle")) {
                send(exchange, 204, null);
            } else {
                send(exchange, 200, "{\"object\":\"billing\",\"path\":\"" + path + "\"}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
