package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant serves its own generative model (#18): it uploads a decoder package through one gateway, deploys it, and
 * its programs chat with it through either gateway with OpenAI's official Java SDK, unmodified, streamed or not;
 * billing meters the prompt and completion tokens the answers reported, and prices them on the tenant's plan.
 */
class GenerativeModelsIT {

    private static final String MODEL = "tiny-chat";
    /** docs/examples/tiny-chat.zip: {@code TinyDecoder.counting().packageZip()}, as the README's tour uploads it. */
    private static final Path EXAMPLE = Path.of("../../docs/examples/tiny-chat.zip");

    @Test
    void aTenantsDecoderChatsThroughEitherGatewayWithTheOpenAiSdkAndItsTokensAreBilled() {
        var owner = ConsoleUser.signUp();
        String tenant = owner.createTenant("Story Forge", "eu-central", "payg");
        String key = owner.createKeySecret(tenant, List.of("inference", "models"));

        // the README's example package, uploaded and deployed through us-east: eu-central, its home, stores and serves it
        given().baseUri(SystemUnderTest.us()).auth().oauth2(key)
                .multiPart("file", EXAMPLE.toFile(), "application/zip")
                .multiPart("name", MODEL).post("/v1/models").then().statusCode(201)
                .header("X-Meridian-Served-By", equalTo("eu-central"))
                .body("task", equalTo("text-generation"));
        given().baseUri(SystemUnderTest.us()).auth().oauth2(key).contentType(ContentType.JSON).body("{}")
                .post("/v1/models/{m}/versions/1/deploy", MODEL).then().statusCode(200);

        OpenAIClient eu = client(SystemUnderTest.eu(), key);
        OpenAIClient us = client(SystemUnderTest.us(), key);
        var hello = ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hello").temperature(0.0)
                .maxCompletionTokens(5).build();
        List<CompletionUsage> reported = new ArrayList<>();

        // the counting decoder answers "a b c d e" to anything, greedily
        ChatCompletion answer = await("the deployed decoder answers").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> eu.chat().completions().create(hello), a -> a != null);
        String content = answer.choices().getFirst().message().content().orElseThrow();
        assertThat(content.strip()).isEqualTo("a b c d e");
        assertThat(answer.choices().getFirst().finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(5);
        reported.add(answer.usage().orElseThrow());

        // streamed through the other gateway, the chunks make the same answer
        var streamed = new StringBuilder();
        var streamedUsage = new ArrayList<CompletionUsage>();
        try (StreamResponse<ChatCompletionChunk> stream = us.chat().completions().createStreaming(hello.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(streamedUsage::add);
            });
        }
        assertThat(streamed.toString()).isEqualTo(content);
        assertThat(streamedUsage).hasSize(1);
        assertThat(streamedUsage.getFirst().completionTokens()).isEqualTo(5);
        reported.add(streamedUsage.getFirst());

        // a stop sequence ends the answer before it, as OpenAI's does
        ChatCompletion stopped = us.chat().completions().create(hello.toBuilder().maxCompletionTokens(20).stop("d")
                .build());
        assertThat(stopped.choices().getFirst().message().content().orElseThrow().strip()).isEqualTo("a b c");
        assertThat(stopped.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        reported.add(stopped.usage().orElseThrow());

        // on the wire: server-sent events, served at home, relayed by us-east
        given().baseUri(SystemUnderTest.us()).auth().oauth2(key).contentType(ContentType.JSON)
                .body(Map.of("model", MODEL, "prompt", "a b c", "max_tokens", 3, "temperature", 0, "stream", true))
                .post("/v1/completions").then().statusCode(200)
                .header("X-Meridian-Served-By", equalTo("eu-central"))
                .contentType(startsWith("text/event-stream"))
                .body(containsString("\"text_completion\""), containsString("data: [DONE]"));

        long prompt = reported.stream().mapToLong(CompletionUsage::promptTokens).sum();
        long completion = reported.stream().mapToLong(CompletionUsage::completionTokens).sum();
        await("billing has metered the tokens the answers reported").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> owner.api().queryParam("tenant_id", tenant).queryParam("group_by", "model")
                        .get("/api/v1/billing/usage"), (Response r) -> {
                            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                            // the raw /v1/completions call above adds its own 3 completion tokens
                            assertThat(quantity(r, "prompt_tokens")).as(r.asString()).isGreaterThan(prompt);
                            assertThat(quantity(r, "completion_tokens")).as(r.asString()).isEqualTo(completion + 3);
                        });
        Response upcoming = owner.api().queryParam("tenant_id", tenant).get("/api/v1/billing/invoices/upcoming");
        upcoming.then().statusCode(200).body("currency", equalTo("EUR"));
        List<Map<String, Object>> lines = upcoming.path("lines");
        assertThat(lines).as(upcoming.asString()).anySatisfy(line -> {
            assertThat(line).containsEntry("meter", "completion_tokens").containsEntry("kind", "usage");
            assertThat(((Number) line.get("quantity")).longValue()).isEqualTo(completion + 3);
            assertThat(((Number) line.get("unit_price_nanos")).longValue()).isPositive();
        });
    }

    private static long quantity(Response usage, String meter) {
        List<Map<String, Object>> figures = usage.path("data");
        return figures.stream().filter(f -> meter.equals(f.get("meter")) && MODEL.equals(f.get("model")))
                .mapToLong(f -> ((Number) f.get("quantity")).longValue()).sum();
    }

    private static OpenAIClient client(String gateway, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }
}
