package dev.meridian.gateway.routing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.gateway.apikeys.KeyDirectory;
import dev.meridian.gateway.apikeys.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files and fine-tuning go to the region's models service with the {@code fine-tune} scope (dataset uploads streamed
 * past the buffered body limit); classifications go to inference. Same stand-in services as {@link RegistryRoutesIT}.
 */
@QuarkusTest
@TestProfile(RegistryRoutesIT.WithServices.class)
class FineTuneRoutesIT {

    @Inject
    KeyDirectory keys;

    private String key(String... scopes) {
        return "Bearer " + TestKeys.seedNow(keys, TestKeys.Spec.active().withScopes(scopes)).key();
    }

    @Test
    void filesAndJobsGoToTheModelsService() {
        var seeded = TestKeys.seedNow(keys, TestKeys.Spec.active().withScopes("fine-tune"));
        for (String path : List.of("/v1/files", "/v1/files/file-1", "/v1/files/file-1/content",
                "/v1/fine_tuning/jobs", "/v1/fine_tuning/jobs/ftjob-1/events")) {
            given().header("Authorization", "Bearer " + seeded.key()).get(path).then().statusCode(200)
                    .body("served_by", equalTo("models")).body("uri", equalTo(path))
                    .body("tenant_id", equalTo(seeded.record().tenantId().toString()));
        }
        given().header("Authorization", "Bearer " + seeded.key()).post("/v1/fine_tuning/jobs/ftjob-1/cancel").then()
                .statusCode(200).body("served_by", equalTo("models")).body("method", equalTo("POST"));
    }

    @Test
    void aDatasetLargerThanTheBufferedBodyLimitIsStreamedWhole() {
        byte[] big = new byte[12 * 1024 * 1024]; // the gateway buffers at most 10 MiB
        long sent = given().header("Authorization", key("fine-tune")).multiPart("file", "d.jsonl", big)
                .multiPart("purpose", "fine-tune").post("/v1/files").then().statusCode(200)
                .body("served_by", equalTo("models")).extract().jsonPath().getLong("bytes");
        assertThat(sent).isGreaterThan(big.length);
    }

    @Test
    void fineTuningNeedsTheFineTuneScopeAndClassificationsGoToInference() {
        String inferenceOnly = key("inference");
        given().header("Authorization", inferenceOnly).get("/v1/files").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"));
        given().header("Authorization", inferenceOnly).get("/v1/fine_tuning/jobs").then().statusCode(403);
        given().header("Authorization", inferenceOnly).contentType("application/json")
                .body("{\"model\":\"ft:all-minilm-l6-v2:x:ftjob-1\",\"input\":\"hi\"}").post("/v1/classifications")
                .then().statusCode(200).body("served_by", equalTo("inference"))
                .body("uri", equalTo("/v1/classifications"));
    }
}
