package dev.meridian.gateway.metering;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.Secrets;
import dev.meridian.stack.ServiceProcess;
import dev.meridian.testing.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway that dies (SIGKILL) with usage events it could not publish loses none of them: the next gateway started
 * on the same spool sends them all, and its served-request counts still include them. Both gateways are the packaged
 * gateway in child JVMs, against the real Keycloak and Kafka; the calls arrive as forwarded calls (service token and
 * caller headers), so no tenancy is needed.
 */
class UsageReplayIT {

    static final int CALLS = 25;

    private HttpServer inference;
    private ServiceProcess gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (inference != null) {
            inference.stop(0);
        }
    }

    private ServiceProcess startGateway(String name, Path spool, String kafka) {
        var stack = TestStack.get();
        Map<String, String> config = new HashMap<>();
        config.put("meridian.gateway.region", "eu-central");
        config.put("meridian.gateway.gateway-id", "replay-gateway");
        config.put("meridian.gateway.tenancy-url", "http://127.0.0.1:9");
        config.put("meridian.gateway.inference-url", "http://127.0.0.1:" + inference.getAddress().getPort());
        config.put("meridian.gateway.metering.spool-dir", spool.toString());
        config.put("kafka.bootstrap.servers", kafka);
        config.put("meridian.kafka.password", stack.secrets().kafkaPassword("gateway"));
        config.put("quarkus.oidc.auth-server-url", stack.realmUrl());
        config.put("quarkus.oidc-client.auth-server-url", stack.realmUrl());
        config.put("quarkus.oidc-client.credentials.secret", stack.secrets().get(Secrets.GATEWAY_CLIENT_SECRET));
        var home = MeridianHome.locate();
        return ServiceProcess.start(home, name, "gateway", Ports.free(), config,
                home.root().resolve("gateway/target/replay-logs"), null);
    }

    private static long waiting(String gatewayUrl) {
        Number n = given().baseUri(gatewayUrl).get("/q/health/ready").then().statusCode(200).extract()
                .path("checks.find { it.name == 'gateway' }.data.usage_events_waiting");
        return n.longValue();
    }

    @Test
    void eventsSpooledByAGatewayThatDiedArePublishedByTheNextOneOnTheSameSpool() throws Exception {
        inference = StandInInference.start(0);
        Path spool = Files.createTempDirectory(Path.of("target"), "replay-spool").toAbsolutePath();
        UUID tenant = UUID.randomUUID();
        String token = TestStack.get().serviceToken("meridian-gateway");

        gateway = startGateway("gateway-replay-1", spool, "127.0.0.1:9"); // Kafka unreachable for this life
        for (int i = 0; i < CALLS; i++) {
            given().baseUri(gateway.url()).auth().oauth2(token)
                    .header(MeridianHeaders.TENANT_ID, tenant.toString())
                    .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                    .header(MeridianHeaders.FORWARDED_BY, "us-east")
                    .contentType("application/json").body(Map.of("model", "all-minilm-l6-v2", "input", "call " + i))
                    .post("/internal/forward/v1/embeddings").then().statusCode(200);
        }
        await("requests, tokens and items of every call wait in the spool").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(waiting(gateway.url())).isEqualTo(3L * CALLS));
        ProcessHandle.of(gateway.pid()).orElseThrow().destroyForcibly(); // a crash: no shutdown hook runs
        ProcessHandle.of(gateway.pid()).ifPresent(p -> p.onExit().join());
        gateway.close();

        gateway = startGateway("gateway-replay-2", spool, TestStack.get().kafkaBootstrap());
        List<UsageEvent> events = UsageTopic.of(tenant,
                e -> e.stream().map(UsageEvent::id).distinct().count() >= 3L * CALLS, Duration.ofSeconds(60));
        assertThat(events.stream().filter(e -> e.meter() == Meter.REQUESTS).map(UsageEvent::id).distinct().count())
                .isEqualTo(CALLS);
        assertThat(events.stream().map(UsageEvent::id).distinct().count()).isEqualTo(3L * CALLS);
        assertThat(events).allSatisfy(e -> assertThat(e.source()).isEqualTo("gateway:eu-central:replay-gateway"));
        assertThat(events).extracting(UsageEvent::occurredAt).as("replayed in the order the calls were served")
                .isSorted();

        Instant now = Instant.now();
        // served-request counts are billing's to read (realm role service-billing)
        String billing = TestStack.get().serviceToken("meridian-billing");
        List<Integer> served = given().baseUri(gateway.url()).auth().oauth2(billing)
                .queryParam("from", now.minus(Duration.ofHours(2)).toString())
                .queryParam("to", now.plus(Duration.ofMinutes(1)).toString())
                .get(ServedRequestsRoute.PATH).then().statusCode(200).extract()
                .path("hours.findAll { it.tenant_id == '" + tenant + "' }.requests");
        assertThat(served.stream().mapToInt(Integer::intValue).sum()).as("counts survive the crash").isEqualTo(CALLS);

        await("the spool is empty once Kafka acknowledged every replayed event").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(waiting(gateway.url())).isZero());
    }
}
