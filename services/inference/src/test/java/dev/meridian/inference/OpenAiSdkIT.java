package dev.meridian.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.TinyDecoder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's official Java SDK, unmodified, against the chat completions endpoint, with the identity headers a gateway
 * adds (the SDK's own header option); through a gateway it would carry a Meridian API key instead.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantModelsResource.class, restrictToAnnotatedClass = false)
class OpenAiSdkIT {

    OpenAIClient client(UUID tenant) {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey("sk-unused-here").putHeader(MeridianHeaders.TENANT_ID, tenant.toString()).maxRetries(0)
                .build();
    }

    @Test
    void theOfficialSdkChatsWithAGenerativeModelStreamedOrNot() {
        UUID tenant = UUID.randomUUID();
        GenerativeModels.deploy(tenant, "counter", TinyDecoder.counting(), List.of(TinyDecoder.EOS), true);
        var client = client(tenant);
        var params = ChatCompletionCreateParams.builder().model("counter").addSystemMessage("count")
                .addUserMessage("a b c").maxCompletionTokens(4).temperature(0.0).build();

        ChatCompletion answer = client.chat().completions().create(params);
        assertThat(answer.choices()).hasSize(1);
        assertThat(answer.choices().getFirst().message().content()).hasValue(" a b c d");
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertThat(answer.model()).isEqualTo("counter");

        var streamed = new StringBuilder();
        var finish = new StringBuilder();
        try (var stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().content().ifPresent(streamed::append);
                choice.finishReason().ifPresent(f -> finish.append(f.asString()));
            }));
        }
        assertThat(streamed.toString()).isEqualTo(" a b c d");
        assertThat(finish.toString()).isEqualTo("length");
    }
}
