package dev.meridian.billing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Two HTTP servers that answer {@code GET /internal/v1/served-requests} as the metering gateways will (the contract
 * of issue #5), with whatever body a test sets, and record the Authorization header they got. Points billing's
 * reconciliation at them. A gateway named in {@link #DOWN} answers 503.
 */
public class StandInGateways implements QuarkusTestResourceLifecycleManager {

    static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    static final Set<String> DOWN = ConcurrentHashMap.newKeySet();

    private HttpServer a;
    private HttpServer b;

    @Override
    public Map<String, String> start() {
        a = server("gateway-a");
        b = server("gateway-b");
        return Map.of("meridian.billing.reconciliation.gateways.gateway-a", "http://localhost:" + a.getAddress().getPort(),
                "meridian.billing.reconciliation.gateways.gateway-b", "http://localhost:" + b.getAddress().getPort());
    }

    private static HttpServer server(String name) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            s.createContext("/internal/v1/served-requests", ex -> {
                AUTHORIZATIONS.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                if (DOWN.contains(name)) {
                    ex.sendResponseHeaders(503, -1);
                    ex.close();
                    return;
                }
                byte[] body = ANSWERS.getOrDefault(name, "{\"gateway_id\":\"" + name + "\",\"hours\":[]}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (a != null) {
            a.stop(0);
        }
        if (b != null) {
            b.stop(0);
        }
    }
}
