package dev.meridian.models;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.events.ModelChange;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Deploying, undeploying and deleting versions; what inference is told; and that no tenant reaches another's. */
@QuarkusTest
class DeploymentIT {

    private static void uploaded(UUID tenant, String name, float w) {
        Registry.upload(tenant, name, OnnxModels.addConstant(w)).post("/v1/models").then().statusCode(201);
    }

    @Test
    void deployIsPublishedAndTheInternalLookupServesTheDeployedVersions() {
        UUID tenant = UUID.randomUUID();
        uploaded(tenant, "m", 1f);
        uploaded(tenant, "m", 2f);
        String internal = "/internal/v1/tenants/" + tenant + "/models/m/deployed";
        var service = given().header("Authorization", "Bearer " + Registry.inferenceToken());
        service.get(internal).then().statusCode(404).body("error.code", equalTo("model_not_deployed"));
        try (var changes = new ModelChangesConsumer()) {
            Registry.as(tenant).post("/v1/models/m/versions/2/deploy").then().statusCode(200)
                    .body("deployed", equalTo(true));
            var seen = changes.await(tenant.toString(), 1, Duration.ofSeconds(10));
            assertThat(seen).extracting(ModelChange::type, ModelChange::model, ModelChange::version)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(ModelChange.VERSION_DEPLOYED, "m", 2));
            given().header("Authorization", "Bearer " + Registry.inferenceToken()).get(internal).then().statusCode(200)
                    .body("versions.version", equalTo(List.of(2)))
                    .body("versions[0].blob_key", equalTo(blobKeyOf(tenant, "m", 2)))
                    .body("versions[0].inputs[0].name", equalTo("x"));
            Registry.as(tenant).post("/v1/models/m/versions/2/undeploy").then().statusCode(200)
                    .body("deployed", equalTo(false));
            assertThat(changes.await(tenant.toString(), 2, Duration.ofSeconds(10))).extracting(ModelChange::type)
                    .containsExactly(ModelChange.VERSION_DEPLOYED, ModelChange.VERSION_UNDEPLOYED);
        }
        given().header("Authorization", "Bearer " + Registry.inferenceToken()).get(internal).then().statusCode(404);
    }

    private static String blobKeyOf(UUID tenant, String name, int version) {
        return given().header("Authorization", "Bearer " + Registry.inferenceToken())
                .get("/internal/v1/tenants/" + tenant + "/models/" + name + "/deployed").then().extract()
                .path("versions.find { it.version == " + version + " }.blob_key");
    }

    @Test
    void aDeployedVersionOrItsModelCannotBeDeleted() throws Exception {
        UUID tenant = UUID.randomUUID();
        uploaded(tenant, "m", 1f);
        uploaded(tenant, "m", 2f);
        Registry.as(tenant).post("/v1/models/m/versions/1/deploy").then().statusCode(200);
        Registry.as(tenant).delete("/v1/models/m/versions/1").then().statusCode(409)
                .body("error.code", equalTo("version_deployed"));
        Registry.as(tenant).delete("/v1/models/m").then().statusCode(409)
                .body("error.code", equalTo("version_deployed"));
        Registry.as(tenant).delete("/v1/models/m/versions/2").then().statusCode(200).body("deleted", equalTo(true));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(1);
        Registry.as(tenant).post("/v1/models/m/versions/1/undeploy").then().statusCode(200);
        Registry.as(tenant).delete("/v1/models/m").then().statusCode(200).body("deleted", equalTo(true));
        Registry.as(tenant).get("/v1/models/m").then().statusCode(404);
        assertThat(Registry.blobsOf(tenant)).isZero();
        assertThat(Registry.rows(tenant, "model_versions")).isZero();
    }

    @Test
    void anotherTenantsModelIs404ForEveryOperation() {
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        uploaded(owner, "private", 1f);
        var missing = Registry.as(other).get("/v1/models/no-such-model").then().statusCode(404).extract().asString();
        String theirs = Registry.as(other).get("/v1/models/private").then().statusCode(404).extract().asString();
        assertThat(theirs).isEqualTo(missing.replace("no-such-model", "private"));
        Registry.as(other).get("/v1/models/private/versions").then().statusCode(404);
        Registry.as(other).get("/v1/models/private/versions/1").then().statusCode(404);
        Registry.as(other).post("/v1/models/private/versions/1/deploy").then().statusCode(404);
        Registry.as(other).delete("/v1/models/private/versions/1").then().statusCode(404);
        Registry.as(other).delete("/v1/models/private").then().statusCode(404);
        // The other tenant may use the same name for a model of its own.
        uploaded(other, "private", 5f);
        Registry.as(owner).get("/v1/models/private/versions").then().statusCode(200)
                .body("data.sha256.size()", equalTo(1));
        Registry.as(owner).get("/v1/models/private").then().statusCode(200)
                .body("owned_by", equalTo(owner.toString()));
    }

    @Test
    void aDeploymentCarriesItsBatchingSettingsToInferenceAndARetuneIsPublished() {
        UUID tenant = UUID.randomUUID();
        uploaded(tenant, "m", 1f);
        String internal = "/internal/v1/tenants/" + tenant + "/models/m/deployed";
        try (var changes = new ModelChangesConsumer()) {
            Registry.as(tenant).contentType("application/json")
                    .body("{\"dynamic_batching\": {\"max_batch_size\": 8, \"max_queue_delay_ms\": 0.5}}")
                    .post("/v1/models/m/versions/1/deploy").then().statusCode(200)
                    .body("deployed", equalTo(true))
                    .body("dynamic_batching.max_batch_size", equalTo(8))
                    .body("dynamic_batching.max_queue_delay_ms", equalTo(0.5f));
            given().header("Authorization", "Bearer " + Registry.inferenceToken()).get(internal).then().statusCode(200)
                    .body("versions[0].max_batch_size", equalTo(8))
                    .body("versions[0].max_queue_delay_us", equalTo(500));
            // Deploying again without a body changes nothing and tells nobody.
            Registry.as(tenant).post("/v1/models/m/versions/1/deploy").then().statusCode(200)
                    .body("dynamic_batching.max_batch_size", equalTo(8));
            // A new size for the deployed version is a change inference must hear of.
            Registry.as(tenant).contentType("application/json").body("{\"dynamic_batching\": {\"max_batch_size\": 1}}")
                    .post("/v1/models/m/versions/1/deploy").then().statusCode(200)
                    .body("dynamic_batching.max_batch_size", equalTo(1))
                    .body("dynamic_batching.max_queue_delay_ms", equalTo(0.5f));
            assertThat(changes.await(tenant.toString(), 2, Duration.ofSeconds(10))).extracting(ModelChange::type)
                    .containsExactly(ModelChange.VERSION_DEPLOYED, ModelChange.VERSION_DEPLOYED);
        }
    }

    @Test
    void badBatchingSettingsAre400NamingTheSettingAndChangeNothing() {
        UUID tenant = UUID.randomUUID();
        uploaded(tenant, "m", 1f);
        record Bad(String body, String code, String param) {
        }
        for (Bad bad : List.of(
                new Bad("{\"dynamic_batching\": {\"max_batch_size\": 0}}", "invalid_value",
                        "dynamic_batching.max_batch_size"),
                new Bad("{\"dynamic_batching\": {\"max_batch_size\": 2.5}}", "invalid_value",
                        "dynamic_batching.max_batch_size"),
                new Bad("{\"dynamic_batching\": {\"max_queue_delay_ms\": 1000}}", "invalid_value",
                        "dynamic_batching.max_queue_delay_ms"),
                new Bad("{\"dynamic_batching\": {\"preferred_batch_size\": [4]}}", "unknown_parameter",
                        "dynamic_batching.preferred_batch_size"),
                new Bad("{\"replicas\": 3}", "unknown_parameter", "replicas"),
                new Bad("{not json", "invalid_json", null))) {
            Registry.as(tenant).contentType("application/json").body(bad.body())
                    .post("/v1/models/m/versions/1/deploy").then().statusCode(400)
                    .body("error.code", equalTo(bad.code()))
                    .body("error.param", equalTo(bad.param()));
        }
        Registry.as(tenant).get("/v1/models/m/versions/1").then().statusCode(200)
                .body("deployed", equalTo(false))
                .body("dynamic_batching.max_batch_size", equalTo(null));
    }

    @Test
    void eachServiceAccountReachesOnlyItsOwnRoutes() {
        UUID tenant = UUID.randomUUID();
        uploaded(tenant, "m", 1f);
        Registry.as(tenant).post("/v1/models/m/versions/1/deploy").then().statusCode(200);
        String internal = "/internal/v1/tenants/" + tenant + "/models/m/deployed";
        // the gateway's account may call /v1 but not the lookup meant for inference services
        given().header("Authorization", "Bearer " + Registry.serviceToken()).get(internal).then().statusCode(403);
        // an inference service's account may look deployments up but not act as a gateway on /v1
        given().header("Authorization", "Bearer " + Registry.inferenceToken())
                .header(dev.meridian.common.tenant.MeridianHeaders.TENANT_ID, tenant.toString())
                .header(dev.meridian.common.tenant.MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                .header(dev.meridian.common.tenant.MeridianHeaders.SCOPES, "models")
                .get("/v1/models").then().statusCode(403);
        given().header("Authorization", "Bearer " + Registry.inferenceToken()).get(internal).then().statusCode(200);
    }
}
