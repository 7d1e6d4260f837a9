package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.TestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A body past the gateway's limit is refused with a body that says so, in the words of the API it was sent to. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false)
class BodyLimitIT {

    /** One byte past the default {@code meridian.gateway.max-body-bytes} (10 MiB). */
    private static final byte[] TOO_LARGE = tooLarge();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KeyDirectory keys;

    private static byte[] tooLarge() {
        byte[] body = new byte[10 * 1024 * 1024 + 1];
        Arrays.fill(body, (byte) 'a');
        byte[] start = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(start, 0, body, 0, start.length);
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        return body;
    }

    @TestHTTPResource("/")
    URI gateway;

    /**
     * Sends the body as curl does for large bodies, with {@code Expect: 100-continue}: the gateway answers from the
     * declared length before the body is sent, so the client reads the answer instead of a broken pipe.
     */
    private HttpResponse<String> post(String path, String authorization) throws Exception {
        try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(gateway.resolve(path)).expectContinue(true)
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(TOO_LARGE)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void anEmbeddingsBodyPastTheLimitIs413WithAnOpenAiErrorSayingTheLimit() throws Exception {
        var key = TestKeys.seed(keys, TestKeys.Spec.active());
        var answer = post("v1/embeddings", "Bearer " + key.key());
        assertThat(answer.statusCode()).as("%s %s", answer.headers().map(), answer.body()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).as("%s %s", answer.headers().map(), answer.body())
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        var error = JSON.readTree(answer.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
        assertThat(error.path("message").asText()).contains("10485760 bytes");
    }

    @Test
    void aManagementApiBodyPastTheLimitIs413ProblemJson() throws Exception {
        var answer = post("api/v1/billing/budgets", "Bearer " + TestStack.get().operatorToken());
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        var problem = JSON.readTree(answer.body());
        assertThat(problem.path("status").asInt()).isEqualTo(413);
        assertThat(problem.path("detail").asText()).contains("10485760 bytes");
    }
}
