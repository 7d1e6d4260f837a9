package dev.meridian.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.inference.generation.GenerationEngine;
import dev.meridian.inference.generation.GenerationModels;
import dev.meridian.testing.TinyDecoder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/chat/completions} and {@code /v1/completions} over HTTP on TinyDecoder models deployed for a tenant:
 * OpenAI's shapes, usage in the header, the body and the stream's comments, errors, a closed connection cancelling its
 * sequence, and the KV budget's 429 ({@code %test} budget: 8 MB, one sequence of 8000 tokens and a bit).
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class CompletionsIT {

    static final ObjectMapper JSON = new ObjectMapper();
    /** An eos id the counting model never writes: it counts on until max_tokens. */
    static final List<Integer> NEVER = List.of(3);

    @Inject
    GenerationModels models;

    UUID tenant;

    @BeforeEach
    void deploy() {
        tenant = UUID.randomUUID();
        GenerativeModels.deploy(tenant, "counter", TinyDecoder.counting(), List.of(TinyDecoder.EOS), true);
        GenerativeModels.deploy(tenant, "plain", TinyDecoder.counting(), List.of(TinyDecoder.EOS), false);
        GenerativeModels.deploy(tenant, "endless", TinyDecoder.builder().counting(6f).maxPositions(8192).build(),
                NEVER, true);
    }

    RequestSpecification call() {
        return given().header(MeridianHeaders.TENANT_ID, tenant.toString()).contentType(ContentType.JSON);
    }

    static Map<String, Object> chat(String model, String text, Object... more) {
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", text)));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    @Test
    void chatCompletionAnswersInOpenAisShapeWithUsage() {
        // <s> <|user|> a b c <|assistant|>: the counting model starts again at a after the role marker
        call().body(chat("counter", "a b c", "max_tokens", 3, "temperature", 0)).post("/v1/chat/completions")
                .then().statusCode(200)
                .header(MeridianHeaders.USAGE, "requests=1,prompt_tokens=6,completion_tokens=3")
                .body("id", startsWith("chatcmpl-"))
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("counter"))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo(" a b c"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.prompt_tokens", equalTo(6))
                .body("usage.completion_tokens", equalTo(3))
                .body("usage.total_tokens", equalTo(9));
    }

    @Test
    void completionsStopExactlyAtAStopSequenceOrMaxTokens() {
        call().body(Map.of("model", "plain", "prompt", "a b c", "max_tokens", 3, "temperature", 0))
                .post("/v1/completions").then().statusCode(200)
                .body("object", equalTo("text_completion"))
                .body("choices[0].text", equalTo(" d e f"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(3));
        call().body(Map.of("model", "plain", "prompt", "a b c", "stop", List.of("g"), "temperature", 0))
                .post("/v1/completions").then().statusCode(200)
                .body("choices[0].text", equalTo(" d e f "))
                .body("choices[0].finish_reason", equalTo("stop"));
        call().body(Map.of("model", "plain", "prompt", "w", "temperature", 0, "n", 2))
                .post("/v1/completions").then().statusCode(200)
                .body("choices[1].index", equalTo(1))
                .body("choices[1].text", equalTo(" x y z"))
                .body("choices[1].finish_reason", equalTo("stop"))
                .body("usage.completion_tokens", equalTo(8));
    }

    /** The events of a streamed answer: data payloads and comments, in order. */
    record Stream(Response response, List<String> events) {
        List<JsonNode> chunks() {
            List<JsonNode> out = new ArrayList<>();
            for (String e : events) {
                if (e.startsWith("data: {")) {
                    try {
                        out.add(JSON.readTree(e.substring(6)));
                    } catch (Exception x) {
                        throw new IllegalStateException(x);
                    }
                }
            }
            return out;
        }
    }

    Stream stream(String path, Map<String, Object> body) {
        Response r = call().body(body).post(path);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/event-stream");
        List<String> events = List.of(r.asString().split("\n\n"));
        return new Stream(r, events);
    }

    @Test
    void streamedChunksAddUpToTheAnswerAndEndWithUsageAndDone() {
        var plain = chat("counter", "p q", "max_tokens", 6, "temperature", 0);
        String whole = call().body(plain).post("/v1/chat/completions").then().statusCode(200).extract()
                .path("choices[0].message.content");
        var streamed = new java.util.HashMap<>(plain);
        streamed.put("stream", true);
        streamed.put("stream_options", Map.of("include_usage", true));
        var s = stream("/v1/chat/completions", streamed);
        assertThat(s.response().header(MeridianHeaders.USAGE)).isEqualTo("requests=1,prompt_tokens=5");
        var chunks = s.chunks();
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        var text = new StringBuilder();
        for (JsonNode c : chunks) {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText("")));
        }
        assertThat(text.toString()).isEqualTo(whole).isEqualTo(" a b c d e f");
        var last = chunks.getLast();
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(6);
        assertThat(s.events().getLast()).isEqualTo("data: [DONE]");
        assertThat(s.events().get(s.events().size() - 2))
                .isEqualTo(": usage requests=1,prompt_tokens=5,completion_tokens=6");
        // every event with generated text is followed by the running totals
        long counted = 0;
        for (int i = 0; i < s.events().size() - 1; i++) {
            String e = s.events().get(i);
            if (e.contains("\"content\":\"") && !e.contains("\"content\":\"\"")) {
                String next = s.events().get(i + 1);
                assertThat(next).startsWith(": usage requests=1,prompt_tokens=5,completion_tokens=");
                long n = Long.parseLong(next.substring(next.lastIndexOf('=') + 1));
                assertThat(n).isGreaterThan(counted);
                counted = n;
            }
        }
        assertThat(counted).isEqualTo(6);
    }

    @Test
    void streamedTextCompletionsHoldBackAPossibleStopSequence() {
        var s = stream("/v1/completions", Map.of("model", "plain", "prompt", "a b c", "stop", List.of("f g"),
                "temperature", 0, "stream", true));
        var text = new StringBuilder();
        String finish = null;
        for (JsonNode c : s.chunks()) {
            assertThat(c.get("object").asText()).isEqualTo("text_completion");
            text.append(c.at("/choices/0/text").asText(""));
            if (c.at("/choices/0/finish_reason").isTextual()) {
                finish = c.at("/choices/0/finish_reason").asText();
            }
        }
        assertThat(text.toString()).isEqualTo(" d e ");
        assertThat(finish).isEqualTo("stop");
        assertThat(String.join("", s.events())).doesNotContain("\"f\"", " f");
    }

    @Test
    void mistakesAreOpenAiErrorsNamingTheParameter() {
        call().body(chat("nobody", "a")).post("/v1/chat/completions").then().statusCode(404)
                .body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"));
        call().body(chat("all-minilm-l6-v2", "a")).post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("/v1/embeddings"));
        call().body(chat("plain", "a")).post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("/v1/completions"));
        call().body(chat("counter", "a", "temperature", 3)).post("/v1/chat/completions").then().statusCode(400)
                .body("error.param", equalTo("temperature"));
        call().body(chat("counter", "a", "top_p", 0)).post("/v1/chat/completions").then().statusCode(400)
                .body("error.param", equalTo("top_p"));
        call().body(chat("counter", "a", "n", 99)).post("/v1/chat/completions").then().statusCode(400)
                .body("error.param", equalTo("n"));
        call().body(chat("counter", "a", "stop", List.of("1", "2", "3", "4", "5"))).post("/v1/chat/completions")
                .then().statusCode(400).body("error.param", equalTo("stop"));
        call().body(chat("counter", "a", "tools", List.of(Map.of("type", "function")))).post("/v1/chat/completions")
                .then().statusCode(400).body("error.param", equalTo("tools"));
        call().body(chat("counter", "a", "max_tokens", 300)).post("/v1/chat/completions").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.message", containsString("256"));
        call().body("{not json").post("/v1/completions").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }

    /** Opens a stream on a raw socket and reads up to its first chunk; the caller closes the socket. */
    static Socket openStream(UUID tenant, String body) throws Exception {
        Socket socket = new Socket("localhost", RestAssured.port);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + MeridianHeaders.TENANT_ID + ": " + tenant + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String status = in.readLine();
        assertThat(status).contains("200");
        String line;
        while ((line = in.readLine()) != null && !line.contains("data: {")) {
            // the head, then chunk sizes
        }
        assertThat(line).as("a first chunk").isNotNull();
        return socket;
    }

    GenerationEngine.Stats endless() {
        return models.engines().stream().filter(e -> e.spec().maxContext() == 8192).findFirst().orElseThrow()
                .stats();
    }

    @Test
    void aClosedConnectionCancelsItsSequenceAndFreesTheKvBudget() throws Exception {
        String body = "{\"model\":\"endless\",\"prompt\":\"a\",\"max_tokens\":8000,\"temperature\":0,\"stream\":true}";
        long cancelledBefore = models.engines().stream().mapToLong(e -> e.stats().cancelled()).sum();
        Socket held = openStream(tenant, body);
        var before = endless();
        assertThat(before.running()).isEqualTo(1);

        // the first sequence holds the model's whole KV budget: another is refused until it ends
        var refused = call().body(Map.of("model", "endless", "prompt", "b", "max_tokens", 3000))
                .post("/v1/completions");
        assertThat(refused.statusCode()).as("%s, then %s: %s", before, endless(), refused.asString().substring(0,
                Math.min(300, refused.asString().length()))).isEqualTo(429);
        refused.then().header("Retry-After", "1").body("error.code", equalTo("rate_limit_exceeded"));

        held.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(endless().running()).isZero();
            assertThat(endless().kvReservedBytes()).isZero();
        });
        assertThat(models.engines().stream().mapToLong(e -> e.stats().cancelled()).sum())
                .as("ended by the disconnect, not by max_tokens").isEqualTo(cancelledBefore + 1);
        call().body(Map.of("model", "endless", "prompt", "b", "max_tokens", 3000)).post("/v1/completions").then()
                .statusCode(200).body("usage.completion_tokens", org.hamcrest.Matchers.greaterThan(0));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("meridian_generation_sequences_total{outcome=\"cancelled\"}"))
                .body(containsString("meridian_generation_kv_reserved_bytes"));
    }

    /** The routes are Vert.x routes: the service's OpenAPI document declares them from META-INF/openapi.yaml. */
    @Test
    void bothRoutesAreInTheServicesOpenApiDocumentBesideTheScannedOnes() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/chat/completions'.post.operationId", equalTo("createChatCompletion"))
                .body("paths.'/v1/completions'.post.operationId", equalTo("createCompletion"))
                .body("paths.'/v1/embeddings'.post", org.hamcrest.Matchers.notNullValue());
    }
}
