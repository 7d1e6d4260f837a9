package dev.meridian.gateway.budgets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.sun.net.httpserver.HttpServer;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.metering.StandInInference;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.PostgresServer;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import dev.meridian.testing.TestStack;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small hard budget held by the real billing service's quota leases, spent by 64 concurrent callers across two
 * gateways (the packaged gateway and billing in child JVMs, the real PostgreSQL, Kafka and Keycloak; inference is the
 * stand-in, which reports 3 to 20 tokens per call). Every call the gateways served is billed from their usage events,
 * and the bill exceeds the budget by no more than the gateways' stated bound: the variable cost (tokens) of one call
 * per concurrent caller. Needs billing packaged ({@code billing/target/quarkus-app}) and fails saying how to build it
 * when it is not.
 */
class BudgetOvershootIT {

    static final int CALLERS = 64;
    static final int KEYS = 8; // each gateway holds one lease per key; 4 callers share a key on each gateway
    static final long BUDGET_MINOR = 300; // 3.00 EUR
    static final long REQUEST_NANOS = 1_000_000_000L; // 1 cent per call, paid up front from the lease
    static final long TOKEN_NANOS = 10_000_000L; // 0.01 cent per token, known only from the answer
    static final int MAX_WORDS = 18; // the stand-in counts words + 2 tokens
    static final long MAX_VARIABLE_NANOS = (MAX_WORDS + 2) * TOKEN_NANOS;

    private static HttpServer inference;
    private static ServiceProcess billing;
    private static ServiceProcess gatewayA;
    private static ServiceProcess gatewayB;

    @BeforeAll
    static void start() throws Exception {
        var home = MeridianHome.locate();
        Path billingJar = home.root().resolve("billing/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(billingJar)) {
            throw new IllegalStateException("BudgetOvershootIT runs the packaged billing service, and " + billingJar
                    + " is missing. Build it with `./mvnw -pl billing package -DskipTests` (or run the whole"
                    + " `./mvnw verify`, which packages billing before the gateway's integration tests).");
        }
        var stack = TestStack.get();
        Secrets s = stack.secrets();
        Path logs = home.root().resolve("gateway/target/budget-logs");
        inference = StandInInference.start(0);

        Map<String, String> b = new HashMap<>();
        b.put("quarkus.datasource.jdbc.url", stack.jdbcUrl(TestStack.CONTROL_DB));
        b.put("quarkus.datasource.username", PostgresServer.APP_ROLE);
        b.put("quarkus.datasource.password", s.get(Secrets.DB_APP_PASSWORD));
        b.put("quarkus.flyway.jdbc-url", stack.jdbcUrl(TestStack.CONTROL_DB));
        b.put("quarkus.flyway.username", PostgresServer.OWNER_ROLE);
        b.put("quarkus.flyway.password", s.get(Secrets.DB_OWNER_PASSWORD));
        b.putAll(stack.kafkaServiceConfig("billing"));
        b.put("quarkus.oidc.auth-server-url", stack.realmUrl());
        b.put("meridian.billing.tenancy-url", "http://127.0.0.1:9");
        billing = ServiceProcess.start(home, "billing-budget", "billing", Ports.free(), b, logs, null);

        gatewayA = gateway(home, "gateway-budget-a", logs);
        gatewayB = gateway(home, "gateway-budget-b", logs);
    }

    private static ServiceProcess gateway(MeridianHome home, String id, Path logs) throws Exception {
        var stack = TestStack.get();
        Map<String, String> g = new HashMap<>();
        g.put("meridian.gateway.region", "eu-central");
        g.put("meridian.gateway.gateway-id", id);
        g.put("meridian.gateway.tenancy-url", "http://127.0.0.1:9");
        g.put("meridian.gateway.inference-url", "http://127.0.0.1:" + inference.getAddress().getPort());
        g.put("meridian.gateway.billing-url", billing.url());
        g.put("meridian.gateway.budgets.billing-timeout", "10s"); // two cores shared by three JVMs and the test
        g.put("meridian.gateway.metering.spool-dir",
                Files.createTempDirectory(Path.of("target"), id).toAbsolutePath().toString());
        g.putAll(stack.kafkaServiceConfig("gateway"));
        g.put("quarkus.oidc.auth-server-url", stack.realmUrl());
        g.put("quarkus.oidc-client.auth-server-url", stack.realmUrl());
        g.put("quarkus.oidc-client.credentials.secret", stack.secrets().get(Secrets.GATEWAY_CLIENT_SECRET));
        return ServiceProcess.start(home, id, "gateway", Ports.free(), g, logs, null);
    }

    @AfterAll
    static void stop() {
        for (var p : new ServiceProcess[] {gatewayA, gatewayB, billing}) {
            if (p != null) {
                p.close();
            }
        }
        if (inference != null) {
            inference.stop(0);
        }
    }

    @Test
    void sixtyFourCallersOnTwoGatewaysOvershootAHardBudgetByNoMoreThanTheStatedBound() throws Exception {
        UUID tenant = UUID.randomUUID();
        String operator = TestStack.get().operatorToken();
        String gatewayToken = TestStack.get().serviceToken("meridian-gateway");
        // Set up through the gateway's /api/v1/billing proxy, as the console would.
        given().baseUri(gatewayA.url()).auth().oauth2(operator).contentType("application/json")
                .body(Map.of("plan", "enterprise", "region", "eu-central", "custom_prices_nanos",
                        Map.of("requests", REQUEST_NANOS, "input_tokens", TOKEN_NANOS)))
                .put("/api/v1/billing/admin/tenants/{t}/plan", tenant).then().statusCode(200);
        given().baseUri(gatewayA.url()).auth().oauth2(operator).contentType("application/json")
                .queryParam("tenant_id", tenant.toString()).body(Map.of("hard_budget_minor", BUDGET_MINOR))
                .put("/api/v1/billing/budgets").then().statusCode(200);

        AtomicLong served = new AtomicLong();
        AtomicLong servedNanos = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong unavailable = new AtomicLong();
        List<String> codes = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        List<Future<?>> callers = new ArrayList<>();
        long started = System.nanoTime();
        List<UUID> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add(UUID.randomUUID());
        }
        for (int c = 0; c < CALLERS; c++) {
            String gateway = c % 2 == 0 ? gatewayA.url() : gatewayB.url();
            UUID key = keys.get(c % KEYS);
            callers.add(pool.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    int words = ThreadLocalRandom.current().nextInt(1, MAX_WORDS + 1);
                    // A 503 (billing did not answer a lease request in time, on these shared cores) says "retry":
                    // the caller polls until the gateway decides, like a client honouring Retry-After.
                    Response r = await("gateway " + gateway + " admits or refuses a call instead of answering 503")
                            .atMost(Duration.ofSeconds(60)).pollInSameThread().pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(50)).until(() -> {
                                Response answer = given().baseUri(gateway).auth().oauth2(gatewayToken)
                                        .header(MeridianHeaders.TENANT_ID, tenant.toString())
                                        .header(MeridianHeaders.KEY_ID, key.toString())
                                        .header(MeridianHeaders.FORWARDED_BY, "us-east")
                                        .contentType("application/json")
                                        .body(Map.of("model", "all-minilm-l6-v2", "input",
                                                "w ".repeat(words).strip()))
                                        .post("/internal/forward/v1/embeddings");
                                if (answer.statusCode() == 503) {
                                    unavailable.incrementAndGet();
                                }
                                return answer;
                            }, answer -> answer.statusCode() != 503);
                    switch (r.statusCode()) {
                        case 200 -> {
                            served.incrementAndGet();
                            servedNanos.addAndGet(REQUEST_NANOS + (words + 2) * TOKEN_NANOS);
                        }
                        case 402 -> {
                            refused.incrementAndGet();
                            codes.add(r.jsonPath().getString("error.code"));
                            return null;
                        }
                        default -> throw new AssertionError("unexpected " + r.statusCode() + ": " + r.asString());
                    }
                }
                throw new AssertionError("a caller was never refused");
            }));
        }
        for (Future<?> f : callers) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;

        long expectedMinor = Math.round(servedNanos.get() / 1e9);
        long billedMinor = awaitBilled(tenant, operator, expectedMinor);
        long boundNanos = CALLERS * MAX_VARIABLE_NANOS;
        System.out.printf("[budget] %d callers (%d keys) on 2 gateways: %d calls served, %d refused (402), %d 503 retries in"
                + " %.1f s; billed %d minor of a %d budget (served cost %.2f minor; bound +%.2f)%n", CALLERS, KEYS,
                served.get(), refused.get(), unavailable.get(), seconds, billedMinor, BUDGET_MINOR,
                servedNanos.get() / 1e9, boundNanos / 1e9);
        // billing's reason; or the gateway's own when what billing could still grant cannot pay for one request
        assertThat(codes).hasSize(CALLERS).isSubsetOf("hard_budget_reached", "budget_exceeded")
                .contains("hard_budget_reached");
        assertThat(billedMinor).as("every served call is billed once, from the gateways' usage events")
                .isEqualTo(expectedMinor);
        assertThat(servedNanos.get()).as("overshoot within the bound")
                .isLessThanOrEqualTo(BUDGET_MINOR * 1_000_000_000L + boundNanos);
        // Billing keeps unsettled slices and recently settled spend reserved, so refusals start before the whole
        // budget is billed; a large part of it must still have been usable.
        assertThat(billedMinor).as("the budget was really used, not refused from the start")
                .isGreaterThanOrEqualTo(BUDGET_MINOR / 4);
    }

    /** What billing has billed the tenant this month, once it reaches {@code expected}; fails after 30 s. */
    private static long awaitBilled(UUID tenant, String operator, long expected) {
        return await("billing has billed every served call from the gateways' usage events")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().baseUri(billing.url()).auth().oauth2(operator)
                        .queryParam("tenant_id", tenant.toString()).get("/api/v1/billing/budgets").then()
                        .statusCode(200).extract().jsonPath().getLong("tenant.spent_minor"),
                        greaterThanOrEqualTo(expected));
    }
}
