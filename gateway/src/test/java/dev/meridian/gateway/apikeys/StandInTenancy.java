package dev.meridian.gateway.apikeys;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for tenancy's internal key lookup ({@code GET /internal/v1/api-keys/{prefix}}) that counts the lookups
 * the gateway makes: it knows the keys a test {@link #register}s and answers 404 for every other prefix. Other calls
 * (last-used reports) get 204. Points the gateway at itself with {@code meridian.gateway.tenancy-url}.
 */
public class StandInTenancy implements QuarkusTestResourceLifecycleManager {

    private static final String LOOKUP = "/internal/v1/api-keys/";
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
            if (!path.startsWith(LOOKUP)) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            LOOKUPS.incrementAndGet();
            String record = RECORDS.get(path.substring(LOOKUP.length()));
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
