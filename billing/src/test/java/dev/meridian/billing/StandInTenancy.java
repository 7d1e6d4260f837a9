package dev.meridian.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers {@code GET /api/v1/tenants/{t}} as tenancy does for the caller of the bearer token it gets: the tenant with
 * the caller's role, or 404 to a non-member. Memberships are set by the test as (user id, tenant) → role; the user id
 * is read from the token billing forwards, so the test also proves billing forwards the user's own token.
 * Partners likewise: {@code GET /api/v1/partners/{p}} answers 200 (with the member's partner role, none for a
 * credential) to whom the test let act for the partner ({@link #actsFor}), 404 to anyone else; and the partner
 * directory {@code GET /internal/v1/partners[/{p}]} serves the partners the test put in ({@link #partner}), only to
 * billing's service account. A test can take it down ({@link #down}): then it answers every request 503, as tenancy
 * behind its load balancer does while no replica is up; {@link #REQUESTS} counts what it got, down or not.
 */
public class StandInTenancy implements QuarkusTestResourceLifecycleManager {

    static final Map<String, String> ROLES = new ConcurrentHashMap<>();
    /** (subject, partner) → partner role, "" for a partner credential. */
    static final Map<String, String> PARTNER_ROLES = new ConcurrentHashMap<>();
    /** The partner directory: partner id → its entry as tenancy's internal API writes it. */
    static final Map<String, Map<String, Object>> PARTNERS = new ConcurrentHashMap<>();
    /** The client whose service account billing calls the directory with (its %test client-credentials). */
    static final String BILLING_CLIENT = "meridian-tenancy";
    /** Every request received, on any route. */
    static final AtomicInteger REQUESTS = new AtomicInteger();
    private static volatile boolean down;
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    /** Takes tenancy down (every request answered 503) or brings it back. */
    static void down(boolean isDown) {
        down = isDown;
    }

    static void member(String userId, String tenantId, String role) {
        ROLES.put(userId + "/" + tenantId, role);
    }

    static String subjectOf(String token) {
        return claim(token, "sub");
    }

    static String claim(String token, String name) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return payload.replaceAll("(?s).*\"" + name + "\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    /** Lets the caller of {@code token} act for the partner: a member with {@code role}, or a credential (null). */
    static void actsFor(String token, String partnerId, String role) {
        PARTNER_ROLES.put(subjectOf(token) + "/" + partnerId, role == null ? "" : role);
    }

    /** Puts a partner into tenancy's directory (snake_case keys, as tenancy's internal API answers). */
    static void partner(String partnerId, Map<String, Object> entry) {
        PARTNERS.put(partnerId, entry);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        route("/api/v1/tenants/", ex -> {
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
        route("/api/v1/partners/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String partner = ex.getRequestURI().getPath().substring("/api/v1/partners/".length());
            String role = auth == null ? null
                    : PARTNER_ROLES.get(subjectOf(auth.substring("Bearer ".length())) + "/" + partner);
            Map<String, Object> body = new java.util.HashMap<>(Map.of("id", partner, "object", "partner"));
            if (role != null && !role.isEmpty()) {
                body.put("role", role);
            }
            respond(ex, role == null ? 404 : 200, role == null ? Map.of("status", 404) : body);
        });
        route("/internal/v1/partners", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !BILLING_CLIENT.equals(claim(auth.substring("Bearer ".length()), "azp"))) {
                respond(ex, 403, Map.of("status", 403, "detail", "only billing's service account"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.equals("/internal/v1/partners")) {
                respond(ex, 200, Map.of("object", "list", "data", List.copyOf(PARTNERS.values())));
                return;
            }
            var entry = PARTNERS.get(path.substring("/internal/v1/partners/".length()));
            respond(ex, entry == null ? 404 : 200, entry == null ? Map.of("status", 404) : entry);
        });
        server.start();
        return Map.of("meridian.billing.tenancy-url", "http://localhost:" + server.getAddress().getPort());
    }

    /** A route that counts its requests and answers 503 while tenancy is down. */
    private void route(String path, HttpHandler handler) {
        server.createContext(path, ex -> {
            REQUESTS.incrementAndGet();
            if (down) {
                respond(ex, 503, Map.of("status", 503, "title", "Service Unavailable"));
                return;
            }
            handler.handle(ex);
        });
    }

    private static void respond(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
