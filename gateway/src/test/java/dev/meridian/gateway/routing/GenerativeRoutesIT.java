package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.meridian.common.billing.Meter;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.gateway.metering.StandInInference;
import dev.meridian.gateway.metering.UsageTopic;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/chat/completions} and {@code /v1/completions} through the gateway to the (stand-in) inference service:
 * scopes, streamed answers relayed event by event on both hops of a cross-region call, a client that leaves closing
 * the model's (or the home gateway's) connection, metering from the streamed usage comments, tokens per minute.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = StandInInference.class, restrictToAnnotatedClass = true)
class GenerativeRoutesIT {

    /** The stand-ins and the streaming client run on a Vert.x of their own, apart from the gateway's. */
    private static final Vertx vertx = Vertx.vertx();

    @Inject
    KeyDirectory keys;
    @TestHTTPResource("/")
    URL self;

    private HttpServer home;

    @AfterAll
    static void closeStandInVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopHome() throws Exception {
        if (home != null) {
            home.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> chat(String content, int maxTokens, boolean stream, String user) {
        return Map.of("model", "tiny-llama", "messages", List.of(Map.of("role", "user", "content", content)),
                "max_tokens", maxTokens, "stream", stream, "user", user);
    }

    private static String inferenceUrl() {
        return ConfigProvider.getConfig().getValue("meridian.gateway.inference-url", String.class);
    }

    /** What became of a held stream at the stand-in inference service: held, completed or closed. */
    private static String streamState(String id) {
        return RestAssured.given().baseUri(inferenceUrl()).get("/stand-in/streams/" + id).then().statusCode(200)
                .extract().path("state");
    }

    private static void release(String id) {
        RestAssured.given().baseUri(inferenceUrl()).post("/stand-in/streams/" + id + "/release").then()
                .statusCode(200);
    }

    private static Map<Meter, Long> meteredFor(UUID tenant, int events) {
        List<UsageEvent> found = UsageTopic.of(tenant, e -> e.size() >= events, Duration.ofSeconds(30));
        assertThat(found).hasSize(events);
        return found.stream().collect(Collectors.toMap(UsageEvent::meter, UsageEvent::quantity));
    }

    @Test
    void chatAndTextCompletionsAreServedByInferenceForKeysWithTheInferenceScope() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("inference"));
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(chat("hello there", 2, false, "u")).post("/v1/chat/completions").then()
                .statusCode(200)
                .header(MeridianHeaders.USAGE, nullValue())
                .header(MeridianHeaders.MODEL, nullValue())
                .body("object", equalTo("chat.completion"));
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "tiny-llama", "prompt", "once upon a time", "max_tokens", 4))
                .post("/v1/completions").then()
                .statusCode(200)
                .body("usage.prompt_tokens", equalTo(4));

        var modelsOnly = TestKeys.seed(keys, TestKeys.Spec.active().withScopes("models"));
        for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
            given().header("Authorization", "Bearer " + modelsOnly.key()).contentType("application/json")
                    .body(chat("hi", 1, false, "u")).post(path).then()
                    .statusCode(403)
                    .body("error.code", equalTo("insufficient_scope"))
                    .body("error.message", containsString("inference"));
        }
        given().contentType("application/json").body(chat("hi", 1, false, "u")).post("/v1/chat/completions").then()
                .statusCode(401);
    }

    @Test
    void anUnstreamedCompletionIsMeteredFromItsUsageHeader() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(chat("one two three", 5, false, "u")).post("/v1/chat/completions").then().statusCode(200);
        assertThat(meteredFor(key.record().tenantId(), 3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Meter.REQUESTS, 1L, Meter.PROMPT_TOKENS, 3L, Meter.COMPLETION_TOKENS, 5L));
    }

    @Test
    void aStreamReachesTheClientEventByEventBeforeTheModelWritesItsLastAndIsMeteredFromItsLastUsageComment()
            throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        String hold = UUID.randomUUID().toString();
        var stream = EventStream.open(self, "/v1/chat/completions", Map.of("Authorization", "Bearer " + key.key()),
                chat("tell me a story", 4, true, "hold:" + hold));
        var answer = stream.response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.getHeader("Content-Type")).startsWith("text/event-stream");
        assertThat(answer.getHeader("Cache-Control")).isEqualTo("no-cache");
        assertThat(answer.getHeader("X-Accel-Buffering")).isEqualTo("no");
        assertThat(answer.getHeader(MeridianHeaders.USAGE)).isNull();

        stream.firstEvent.get(10, TimeUnit.SECONDS);
        assertThat(streamState(hold)).as("the model has not written its last token yet").isEqualTo("held");
        assertThat(stream.received()).contains("\"content\":\"t1 \"").doesNotContain("t2 ");

        release(hold);
        String whole = stream.ended.get(10, TimeUnit.SECONDS);
        assertThat(whole).contains(": usage requests=1,prompt_tokens=4,completion_tokens=4\n\n")
                .endsWith("data: [DONE]\n\n");
        assertThat(meteredFor(key.record().tenantId(), 3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Meter.REQUESTS, 1L, Meter.PROMPT_TOKENS, 4L, Meter.COMPLETION_TOKENS, 4L));
    }

    @Test
    void aClientThatLeavesMidStreamClosesTheModelsConnectionAndIsMeteredForWhatWasGenerated() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        String hold = UUID.randomUUID().toString();
        var stream = EventStream.open(self, "/v1/completions", Map.of("Authorization", "Bearer " + key.key()),
                chat("a b c d e f", 50, true, "hold:" + hold));
        stream.firstEvent.get(10, TimeUnit.SECONDS);
        stream.leave();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(streamState(hold)).isEqualTo("closed"));
        assertThat(meteredFor(key.record().tenantId(), 3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Meter.REQUESTS, 1L, Meter.PROMPT_TOKENS, 6L, Meter.COMPLETION_TOKENS, 1L));
    }

    @Test
    void aKeyThatSpentItsTokensPerMinuteIsRefusedNewGenerativeCallsUntilTheyRefill() {
        var key = TestKeys.seed(keys, TestKeys.Spec.active().limitedTo(100, 100).withTokensPerMinute(20));
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(chat("one two three four five", 30, false, "u")).post("/v1/chat/completions").then()
                .statusCode(200)
                .header("x-ratelimit-limit-tokens", equalTo("20"))
                .header("x-ratelimit-remaining-tokens", equalTo("20"));
        for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
            given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                    .body(chat("again", 1, false, "u")).post(path).then()
                    .statusCode(429)
                    .header("Retry-After", notNullValue())
                    .body("error.code", equalTo("rate_limit_exceeded"))
                    .body("error.message", containsString("20 tokens per minute"));
        }
        given().header("Authorization", "Bearer " + key.key()).contentType("application/json")
                .body(Map.of("model", "all-minilm-l6-v2", "input", "embeddings spend no generative tokens"))
                .post("/v1/embeddings").then()
                .statusCode(200);
    }

    @Test
    void aStreamForwardedHereFromAnotherRegionIsRelayedMeteredHereAndClosedUpstreamWhenTheEdgeLeaves()
            throws Exception {
        UUID tenant = UUID.randomUUID();
        String hold = UUID.randomUUID().toString();
        var stream = EventStream.open(self, "/internal/forward/v1/chat/completions", Map.of(
                "Authorization", "Bearer " + TestStack.get().serviceToken("meridian-gateway"),
                MeridianHeaders.TENANT_ID, tenant.toString(),
                MeridianHeaders.KEY_ID, UUID.randomUUID().toString(),
                MeridianHeaders.SCOPES, "inference",
                MeridianHeaders.REGION, "us-east",
                MeridianHeaders.FORWARDED_BY, "us-east",
                CallerHeaders.TOKENS_PER_MINUTE, "1000"), chat("x y", 9, true, "hold:" + hold));
        var answer = stream.response.get(10, TimeUnit.SECONDS);
        assertThat(answer.getHeader("x-ratelimit-limit-tokens")).as("the forwarding gateway's plan limit")
                .isEqualTo("1000");
        stream.firstEvent.get(10, TimeUnit.SECONDS);
        assertThat(streamState(hold)).isEqualTo("held");
        stream.leave();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(streamState(hold)).isEqualTo("closed"));
        assertThat(meteredFor(tenant, 3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Meter.REQUESTS, 1L, Meter.PROMPT_TOKENS, 2L, Meter.COMPLETION_TOKENS, 1L));
    }

    @Test
    void aStreamFromTheHomeRegionReachesTheClientAsItComesAndALeavingClientClosesTheHomeCall() throws Exception {
        var homeAnswer = new CompletableFuture<HttpServerResponse>();
        var forwarded = new CompletableFuture<MultiMap>();
        home = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            forwarded.complete(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
            var out = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .putHeader("X-Meridian-Served-By", "us-east");
            out.write("data: {\"choices\":[{\"delta\":{\"content\":\"first\"}}]}\n\n");
            homeAnswer.complete(out);
        })).listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        var key = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", "http://localhost:"
                + home.actualPort(), true).withTokensPerMinute(5000));

        // event by event: the first arrives while the home region still holds the last
        var stream = EventStream.open(self, "/v1/chat/completions", Map.of("Authorization", "Bearer " + key.key()),
                chat("hi", 2, true, "u"));
        stream.firstEvent.get(10, TimeUnit.SECONDS);
        assertThat(stream.response.get().getHeader("X-Meridian-Served-By")).isEqualTo("us-east");
        assertThat(stream.response.get().getHeader("Cache-Control")).isEqualTo("no-cache");
        assertThat(forwarded.get(5, TimeUnit.SECONDS).get(CallerHeaders.TOKENS_PER_MINUTE)).isEqualTo("5000");
        var out = homeAnswer.get(5, TimeUnit.SECONDS);
        vertx.runOnContext(v -> out.end("data: {\"choices\":[{\"delta\":{\"content\":\"last\"}}]}\n\ndata: [DONE]\n\n"));
        assertThat(stream.ended.get(10, TimeUnit.SECONDS)).contains("first").contains("last")
                .endsWith("data: [DONE]\n\n");

        // a client that leaves mid-stream: the call to the home gateway is closed too
        var second = new CompletableFuture<HttpServerResponse>();
        home.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        var homeClosedSecond = new CompletableFuture<Void>();
        home = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            req.connection().closeHandler(v -> homeClosedSecond.complete(null));
            var response = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            response.write("data: {\"choices\":[]}\n\n");
            second.complete(response);
        })).listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        var other = TestKeys.seed(keys, TestKeys.Spec.active().homedIn("us-east", "http://localhost:"
                + home.actualPort(), true));
        var leaving = EventStream.open(self, "/v1/chat/completions", Map.of("Authorization", "Bearer "
                + other.key()), chat("hi", 2, true, "u"));
        leaving.firstEvent.get(10, TimeUnit.SECONDS);
        assertThat(homeClosedSecond).isNotDone();
        leaving.leave();
        homeClosedSecond.get(10, TimeUnit.SECONDS);
    }

    /** A client of a streamed answer that reads it as it comes and can leave mid-stream (closing its connection). */
    private static final class EventStream {
        final CompletableFuture<HttpClientResponse> response = new CompletableFuture<>();
        final CompletableFuture<Void> firstEvent = new CompletableFuture<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();
        private final Buffer body = Buffer.buffer();

        static EventStream open(URL gateway, String path, Map<String, String> headers, Map<String, Object> json) {
            var stream = new EventStream();
            var options = new RequestOptions().setMethod(HttpMethod.POST).setHost(gateway.getHost())
                    .setPort(gateway.getPort()).setURI(path).putHeader("Content-Type", "application/json");
            headers.forEach(options::putHeader);
            String payload = io.vertx.core.json.Json.encode(json);
            vertx.createHttpClient().request(options)
                    .compose(req -> req.send(payload))
                    .onSuccess(r -> {
                        r.handler(chunk -> {
                            synchronized (stream.body) {
                                stream.body.appendBuffer(chunk);
                                if (stream.body.toString().contains("data: ")) {
                                    stream.firstEvent.complete(null);
                                }
                            }
                        });
                        r.endHandler(v -> stream.ended.complete(stream.received()));
                        r.exceptionHandler(stream.ended::completeExceptionally);
                        stream.response.complete(r);
                    })
                    .onFailure(failure -> {
                        stream.response.completeExceptionally(failure);
                        stream.firstEvent.completeExceptionally(failure);
                    });
            return stream;
        }

        String received() {
            synchronized (body) {
                return body.toString();
            }
        }

        /** Goes away mid-stream: the connection to the gateway is closed. */
        void leave() throws Exception {
            response.get(5, TimeUnit.SECONDS).request().connection().close();
        }
    }
}
