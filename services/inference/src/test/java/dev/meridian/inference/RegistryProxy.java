package dev.meridian.inference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between this service and the real models service, so that a test can take the registry away without
 * stopping it: it passes every call on, or holds each call without answering, or answers every call with one status.
 * It counts the calls that reach it. It lives as long as the test JVM, like the models service behind it.
 */
final class RegistryProxy {

    /** How long a held call is kept at most, should a test forget to let the registry answer again. */
    private static final Duration LONGEST_HOLD = Duration.ofSeconds(60);

    private final URI registry;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicInteger calls = new AtomicInteger();
    /** Open while calls are passed on (or answered with {@link #status}); held calls wait for it. */
    private volatile CountDownLatch answering = open();
    /** 0: pass calls on; else the status every call gets. */
    private volatile int status;
    /** Answers given in the registry's place, by request path (registry features not built yet, such as issue #18's). */
    private final java.util.Map<String, String> stubs = new java.util.concurrent.ConcurrentHashMap<>();

    RegistryProxy(String registryUrl) {
        this.registry = URI.create(registryUrl.replaceAll("/+$", ""));
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a thread per call, since held calls keep theirs
        server.setExecutor(Executors.newCachedThreadPool(Thread.ofPlatform().name("registry-proxy-", 0).daemon()
                .factory()));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Calls that reached the registry's address so far, answered or not. */
    int calls() {
        return calls.get();
    }

    /** Answers {@code json} to calls of {@code path} in the registry's place, whatever the other settings. */
    void stub(String path, String json) {
        stubs.put(path, json);
    }

    /** From now on every call is held and never answered, as by a registry that hangs. */
    void stopAnswering() {
        answering = new CountDownLatch(1);
    }

    /** From now on every call is answered with {@code status} (a registry in trouble). */
    void answerWith(int status) {
        this.status = status;
        answering.countDown();
    }

    /** From now on every call is passed on to the registry; calls held until now are dropped unanswered. */
    void passOn() {
        status = 0;
        answering.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            calls.incrementAndGet();
            String stubbed = stubs.get(exchange.getRequestURI().getRawPath());
            if (stubbed != null) {
                byte[] body = stubbed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            CountDownLatch gate = answering;
            if (gate.getCount() > 0) {
                gate.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
                return; // closed without an answer
            }
            int fixed = status;
            if (fixed != 0) {
                exchange.sendResponseHeaders(fixed, -1);
                return;
            }
            var request = HttpRequest.newBuilder(registry.resolve(exchange.getRequestURI().getRawPath()))
                    .timeout(Duration.ofSeconds(30)).GET();
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Accept")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CountDownLatch open() {
        CountDownLatch latch = new CountDownLatch(1);
        latch.countDown();
        return latch;
    }
}
