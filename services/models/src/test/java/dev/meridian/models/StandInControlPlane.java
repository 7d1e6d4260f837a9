package dev.meridian.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the control plane's internal export APIs (tenancy's members, API keys and audit trail; billing's
 * hourly usage and invoices), which the models service reads to build an export: it answers fixed records per tenant,
 * keeps the audit events recorded to it, and admits only tokens of the models service's own Keycloak client (the
 * real token, checked for its client and realm role; the real endpoints are tested in tenancy and billing, and
 * together in infra/system-tests). Points both {@code meridian.models.exports.*-url} at itself.
 */
public class StandInControlPlane implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("/internal/v1/tenants/([^/]+)/export/([a-z-]+)");
    private static final Map<String, List<Map<String, Object>>> AUDITED = new ConcurrentHashMap<>();
    private static volatile boolean refuseAudits;

    private HttpServer server;

    /** The audit events recorded for the tenant so far. */
    public static List<Map<String, Object>> audited(String tenant) {
        return List.copyOf(AUDITED.getOrDefault(tenant, List.of()));
    }

    /** Whether recording audit events fails (503) from now on. */
    public static void refuseAudits(boolean refuse) {
        refuseAudits = refuse;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", StandInControlPlane::handle);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("meridian.models.exports.tenancy-url", url, "meridian.models.exports.billing-url", url);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
            if (!m.matches()) {
                answer(exchange, 404, Map.of("detail", "no such route"));
                return;
            }
            if (!fromModelsService(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 403, Map.of("detail", "not the models service's token"));
                return;
            }
            String tenant = m.group(1);
            switch (exchange.getRequestMethod() + " " + m.group(2)) {
                case "GET members" -> answer(exchange, 200, Map.of("data", List.of(Map.of("id", "m-" + tenant,
                        "email", "owner@" + tenant + ".example", "role", "owner", "status", "active"))));
                case "GET api-keys" -> answer(exchange, 200, Map.of("data", List.of(Map.of("id", "k-" + tenant,
                        "name", "ci", "prefix", "abcd1234", "scopes", List.of("models")))));
                case "GET audit-events" -> answer(exchange, 200, mapOf("data", audited(tenant), "next", null));
                case "POST audit-events" -> {
                    if (refuseAudits) {
                        answer(exchange, 503, Map.of("detail", "tenancy is away"));
                        return;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> event = JSON.readValue(request, LinkedHashMap.class);
                    AUDITED.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>()).add(event);
                    answer(exchange, 201, event);
                }
                case "GET usage-hourly" -> answer(exchange, 200, Map.of("data", List.of(Map.of("meter", "requests",
                        "hour", "2030-01-01T10:00:00Z", "quantity", 3, "events", 3))));
                case "GET invoices" -> answer(exchange, 200, Map.of("data", List.of(Map.of("id", "i-" + tenant,
                        "status", "draft", "currency", "EUR", "total_minor", 0))));
                default -> answer(exchange, 404, Map.of("detail", "no such route"));
            }
        }
    }

    /** A Keycloak access token of client meridian-models with realm role service-models (its payload, unverified). */
    private static boolean fromModelsService(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            List<String> roles = new ArrayList<>();
            claims.path("realm_access").path("roles").forEach(r -> roles.add(r.asText()));
            return "meridian-models".equals(claims.path("azp").asText()) && roles.contains("service-models");
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, Object> mapOf(String k1, Object v1, String k2, Object v2) {
        var m = new LinkedHashMap<String, Object>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
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
