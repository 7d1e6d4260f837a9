package dev.meridian.billing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers {@code GET /api/v1/tenants/{t}} as tenancy does for the caller of the bearer token it gets: the tenant with
 * the caller's role, or 404 to a non-member. Memberships are set by the test as (user id, tenant) → role; the user id
 * is read from the token billing forwards, so the test also proves billing forwards the user's own token.
 */
public class StandInTenancy implements QuarkusTestResourceLifecycleManager {

    static final Map<String, String> ROLES = new ConcurrentHashMap<>();
    private HttpServer server;

    static void member(String userId, String tenantId, String role) {
        ROLES.put(userId + "/" + tenantId, role);
    }

    static String subjectOf(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return payload.replaceAll("(?s).*\"sub\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/api/v1/tenants/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String tenant = ex.getRequestURI().getPath().substring("/api/v1/tenants/".length());
            String role = auth == null ? null : ROLES.get(subjectOf(auth.substring("Bearer ".length())) + "/" + tenant);
            byte[] body = role == null ? "{\"status\":404}".getBytes(StandardCharsets.UTF_8)
                    : ("{\"id\":\"" + tenant + "\",\"home_region\":\"eu-central\",\"plan\":\"free\",\"role\":\"" + role
                            + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(role == null ? 404 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return Map.of("meridian.billing.tenancy-url", "http://localhost:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
