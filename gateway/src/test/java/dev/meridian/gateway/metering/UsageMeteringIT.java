package dev.meridian.gateway.metering;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Calls served through the region's (stand-in) inference service are metered to the real Kafka broker's
 * {@code usage.events}, from the service's usage headers, which the client never sees.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInInference.class, restrictToAnnotatedClass = true)
class UsageMeteringIT {

    @Inject
    KeyDirectory keys;
    @Inject
    UsagePublisher publisher;
    /**
     * The stand-in servers run on a Vert.x of their own: on the application's, Micrometer would measure them as the
     * gateway's own HTTP server and refuse their meters.
     */
    private static final Vertx vertx = Vertx.vertx();

    @AfterAll
    static void closeStandInVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static String embed(String key, Object input) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", input))
                .post("/v1/embeddings").then().extract().statusLine();
    }

    private static List<UsageEvent> eventsOf(UUID tenant, int atLeast) {
        return UsageTopic.of(tenant, e -> e.size() >= atLeast,
                Duration.ofSeconds(30));
    }

    @Test
    void aSuccessfulCallIsMeteredFromTheServicesUsageAndTheUsageHeadersAreStripped() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", List.of("hello world", "good morning")))
                .post("/v1/embeddings").then()
                .statusCode(200)
                .header(MeridianHeaders.USAGE, nullValue())
                .header(MeridianHeaders.MODEL, nullValue())
                .body("usage.prompt_tokens", equalTo(8));
        Instant after = Instant.now();

        var events = eventsOf(key.record().tenantId(), 3);
        assertThat(events).hasSize(3);
        assertThat(events.stream().collect(Collectors.toMap(UsageEvent::meter, UsageEvent::quantity)))
                .containsExactlyInAnyOrderEntriesOf(Map.of(Meter.REQUESTS, 1L, Meter.INPUT_TOKENS, 8L,
                        Meter.EMBEDDED_ITEMS, 2L));
        assertThat(events).allSatisfy(e -> {
            assertThat(e.tenantId()).isEqualTo(key.record().tenantId());
            assertThat(e.keyId()).isEqualTo(key.record().keyId());
            assertThat(e.region()).isEqualTo("eu-central");
            assertThat(e.model()).isEqualTo("all-minilm-l6-v2");
            assertThat(e.occurredAt()).isBetween(before, after);
            assertThat(e.source()).startsWith("gateway:eu-central:");
        });
        assertThat(events).extracting(UsageEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void theCallersTraceGoesOnToTheServiceAndWithItsUsageEventsToBilling() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String received = given().header("Authorization", "Bearer " + key.key())
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "hello world"))
                .post("/v1/embeddings").then().statusCode(200)
                .extract().header(StandInInference.RECEIVED_TRACEPARENT);
        assertThat(received).as("the gateway's own span continues the caller's trace towards the service")
                .startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7");
        var traces = UsageTopic.traceParents(key.record().tenantId(), 3, Duration.ofSeconds(30));
        assertThat(traces).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("00-" + traceId + "-"));
        assertThat(eventsOf(key.record().tenantId(), 3)).allSatisfy(e -> assertThat(e.traceParent()).isNotNull());
    }

    @Test
    void answersThatAreNotSuccessfulAreNotMetered() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        assertThat(embed(key.key(), "a bad text")).contains("400");
        assertThat(embed(key.key(), "crash now")).contains("500");
        assertThat(embed(key.key(), "fine")).contains("200");
        // Same tenant, same partition, in order: had the failures been metered their events would come first.
        var events = eventsOf(key.record().tenantId(), 3);
        assertThat(events).extracting(UsageEvent::meter)
                .containsExactly(Meter.REQUESTS, Meter.INPUT_TOKENS, Meter.EMBEDDED_ITEMS);
        assertThat(events).filteredOn(e -> e.meter() == Meter.INPUT_TOKENS).extracting(UsageEvent::quantity)
                .containsExactly(3L);
    }

    @Test
    void aCallForwardedToTheHomeRegionIsNotMeteredByTheForwardingGateway() throws Exception {
        HttpServer home = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> req.response()
                .putHeader("X-Meridian-Served-By", "us-east").putHeader("Content-Type", "application/json")
                .end("{\"object\":\"list\",\"data\":[]}")))
                .listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try {
            var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east",
                    "http://localhost:" + home.actualPort(), true));
            long accepted = publisher.accepted();
            assertThat(embed(key.key(), "hello")).contains("200");
            assertThat(publisher.accepted()).as("metered by the home gateway that served it").isEqualTo(accepted);
        } finally {
            home.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCallForwardedHereFromAnotherRegionIsMeteredHereForThisRegion() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        given().auth().oauth2(TestStack.get().serviceToken("meridian-gateway"))
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.KEY_ID, key.toString())
                .header(MeridianHeaders.SCOPES, "inference")
                .header(MeridianHeaders.REGION, "us-east")
                .header(MeridianHeaders.FORWARDED_BY, "us-east")
                .contentType("application/json").body(Map.of("model", "bge-small-en-v1.5", "input", "one two"))
                .post("/internal/forward/v1/embeddings").then()
                .statusCode(200)
                .header(MeridianHeaders.USAGE, nullValue());
        var events = eventsOf(tenant, 3);
        assertThat(events).hasSize(3).allSatisfy(e -> {
            assertThat(e.region()).isEqualTo("eu-central");
            assertThat(e.keyId()).isEqualTo(key);
            assertThat(e.model()).isEqualTo("bge-small-en-v1.5");
        });
    }

    @Test
    void servedRequestsCountsTheRequestsOfEachTenantPerHour() {
        var a = TestKeys.seed(keys, TestKeys.Spec.active());
        var b = TestKeys.seed(keys, TestKeys.Spec.active());
        // Each tenant's calls are bracketed by the clock, so that calls straddling the turn of an hour (say
        // 23:59:59 on the last day of a month) are checked for what they are instead of failing.
        Instant beforeA = Instant.now();
        for (int i = 0; i < 3; i++) {
            assertThat(embed(a.key(), "x")).contains("200");
        }
        Instant afterA = Instant.now();
        assertThat(embed(b.key(), "y")).contains("200");
        Instant afterB = Instant.now();
        assertThat(embed(b.key(), "bad")).contains("400");
        Instant now = Instant.now();
        var answer = given().auth().oauth2(TestStack.get().serviceToken("meridian-billing"))
                .queryParam("from", now.minus(Duration.ofHours(1)).toString())
                .queryParam("to", now.plus(Duration.ofMinutes(1)).toString())
                .get(ServedRequestsRoute.PATH).then()
                .statusCode(200)
                .body("region", equalTo("eu-central"))
                .extract().jsonPath();
        assertThat(answer.getString("gateway_id")).isNotBlank();
        String hoursOfA = "hours.findAll { it.tenant_id == '" + a.record().tenantId() + "' }";
        String hoursOfB = "hours.findAll { it.tenant_id == '" + b.record().tenantId() + "' }";
        // Within one hour (nearly always) a has one row of 3; across the turn of an hour the 3 split over both.
        assertThat(answer.getList(hoursOfA + ".hour", String.class)).as("the hours in which a's calls were served")
                .doesNotHaveDuplicates().allSatisfy(h -> assertThat(h).isIn(hourOf(beforeA), hourOf(afterA)));
        assertThat(answer.getList(hoursOfA + ".requests", Integer.class)).as("a's calls, each counted once")
                .satisfies(counts -> assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3));
        assertThat(answer.getList(hoursOfB + ".hour", String.class)).as("the hour of b's successful call")
                .singleElement().isIn(hourOf(afterA), hourOf(afterB));
        assertThat(answer.getList(hoursOfB + ".requests", Integer.class)).as("b's call answered 400 is not counted")
                .containsExactly(1);
    }

    /** The start of {@code t}'s hour, as the served-requests answer writes it. */
    private static String hourOf(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS).toString();
    }

    @Test
    void servedRequestsIsForServicesOnlyAndSaysWhatIsWrongWithItsRange() {
        Instant startOfToday = Instant.now().truncatedTo(ChronoUnit.DAYS);
        String today = startOfToday.toString();
        String tomorrow = startOfToday.plus(Duration.ofDays(1)).toString();
        given().queryParam("from", today).queryParam("to", tomorrow)
                .get(ServedRequestsRoute.PATH).then().statusCode(401);
        given().auth().oauth2(TestStack.get().serviceToken("meridian-partner"))
                .queryParam("from", today).queryParam("to", tomorrow)
                .get(ServedRequestsRoute.PATH).then().statusCode(403);
        given().auth().oauth2(TestStack.get().serviceToken("meridian-billing"))
                .queryParam("from", "yesterday").queryParam("to", tomorrow)
                .get(ServedRequestsRoute.PATH).then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("ISO-8601"));
    }
}
