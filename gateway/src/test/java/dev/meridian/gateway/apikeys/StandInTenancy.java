package dev.meridian.gateway.apikeys;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for tenancy's internal key and member lookups ({@code GET /internal/v1/api-keys/{prefix}},
 * {@code GET /internal/v1/tenants/{t}/members/by-user/{u}}) that counts the lookups the gateway makes: it knows the
 * keys and members a test registers and answers 404 for every other. Other calls
 * (last-used reports) get 204. Points the gateway at itself with {@code meridian.gateway.tenancy-url}.
 */
public class StandInTenancy implements QuarkusTestResourceLifecycleManager {

    private static final String LOOKUP = "/internal/v1/api-keys/";
    private static final String MEMBERS = "/internal/v1/tenants/";
    private static final AtomicInteger LOOKUPS = new AtomicInteger();
    private static final Map<String, String> RECORDS = new ConcurrentHashMap<>();

    private HttpServer server;

    /** Key lookups answered so far. */
    public static int lookups() {
        return LOOKUPS.get();
    }

    /** From now on the lookup of {@code prefix} answers 200 with {@code recordJson}. */
    public static void register(String prefix, String recordJson) {
        RECORDS.put(prefix, recordJson);
    }

    /** From now on the lookup of {@code user} as a member of {@code tenant} answers 200 with {@code recordJson}. */
    public static void registerMember(UUID tenant, String user, String recordJson) {
        RECORDS.put(memberPath(tenant, user), recordJson);
    }

    /** From now on the user is no member of the tenant (404). */
    public static void forgetMember(UUID tenant, String user) {
        RECORDS.remove(memberPath(tenant, user));
    }

    private static String memberPath(UUID tenant, String user) {
        return MEMBERS + tenant + "/members/by-user/" + user;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", StandInTenancy::handle);
        server.start();
        return Map.of("meridian.gateway.tenancy-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith(LOOKUP) && !path.startsWith(MEMBERS)) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            LOOKUPS.incrementAndGet();
            String record = RECORDS.get(path.startsWith(LOOKUP) ? path.substring(LOOKUP.length()) : path);
            byte[] body = (record == null ? "{\"title\":\"no such key\"}" : record).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(record == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
