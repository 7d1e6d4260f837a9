package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.OnnxModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Uploading tenant models in one request: versions, content addressing, listing, the region and the token. */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class ModelUploadIT {

    @Test
    void uploadCreatesTheModelAndAVersionRecordingItsInputsAndOutputs() throws Exception {
        UUID tenant = UUID.randomUUID();
        byte[] model = OnnxModels.addConstant(1f, 2f, 3f);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        Registry.upload(tenant, "adder", model).multiPart("description", "adds 1, 2, 3")
                .post("/v1/models").then().statusCode(201)
                .body("object", equalTo("model.version"))
                .body("model", equalTo("adder"))
                .body("version", equalTo(1))
                .body("sha256", equalTo(sha))
                .body("bytes", equalTo(model.length))
                .body("opset", equalTo(13))
                .body("inputs[0].name", equalTo("x"))
                .body("inputs[0].datatype", equalTo("FP32"))
                .body("inputs[0].shape", equalTo(List.of(-1, 3)))
                .body("outputs[0].name", equalTo("y"))
                .body("deployed", equalTo(false));
        Registry.as(tenant).get("/v1/models/adder").then().statusCode(200)
                .body("id", equalTo("adder")).body("owned_by", equalTo(tenant.toString()))
                .body("description", equalTo("adds 1, 2, 3")).body("versions", equalTo(List.of(1)));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(1);
    }

    @Test
    void theSameBytesAgainAreTheExistingVersionAndNewBytesTheNext() throws Exception {
        UUID tenant = UUID.randomUUID();
        Registry.upload(tenant, "m", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(201)
                .body("version", equalTo(1));
        Registry.upload(tenant, "m", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(200)
                .body("version", equalTo(1));
        Registry.upload(tenant, "m", OnnxModels.addConstant(2f)).post("/v1/models").then().statusCode(201)
                .body("version", equalTo(2));
        Registry.as(tenant).get("/v1/models/m/versions").then().statusCode(200)
                .body("object", equalTo("list")).body("data.version", equalTo(List.of(1, 2)));
        Registry.as(tenant).get("/v1/models/m/versions/2").then().statusCode(200).body("id", equalTo("m:2"));
        Registry.as(tenant).get("/v1/models/m/versions/3").then().statusCode(404)
                .body("error.code", equalTo("version_not_found"));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(2);
    }

    @Test
    void listingShowsBaseModelsAndTheCallersOwnOnly() {
        UUID tenant = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        Registry.upload(tenant, "mine", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(201);
        Registry.upload(other, "theirs", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(201);
        Registry.as(tenant).get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("all-minilm-l6-v2", "bge-small-en-v1.5", "mine"))
                .body("data.id", not(hasItem("theirs")));
        Registry.as(tenant).get("/v1/models/bge-small-en-v1.5").then().statusCode(200)
                .body("owned_by", equalTo("meridian"));
    }

    @Test
    void baseModelNamesAreReservedAndBadNamesExplained() {
        UUID tenant = UUID.randomUUID();
        Registry.upload(tenant, "all-minilm-l6-v2", OnnxModels.addConstant(1f)).post("/v1/models").then()
                .statusCode(409).body("error.code", equalTo("name_reserved"));
        Registry.upload(tenant, "Bad Name!", OnnxModels.addConstant(1f)).post("/v1/models").then()
                .statusCode(400).body("error.code", equalTo("invalid_name")).body("error.param", equalTo("name"));
        Registry.as(tenant).multiPart("name", "x").post("/v1/models").then().statusCode(400)
                .body("error.param", equalTo("file"));
    }

    @Test
    void aTenantHomedInAnotherRegionIsRefused() {
        Registry.as(UUID.randomUUID()).header("X-Meridian-Home-Region", "us-east")
                .multiPart("file", "m.onnx", OnnxModels.addConstant(1f)).multiPart("name", "m")
                .post("/v1/models").then().statusCode(421)
                .body("error.code", equalTo("wrong_region"))
                .body("error.message", containsString("eu-central"));
    }

    @Test
    void writesNeedTheModelsScope() {
        Registry.as(UUID.randomUUID(), "inference").multiPart("file", "m.onnx", OnnxModels.addConstant(1f))
                .multiPart("name", "m").post("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("insufficient_scope"));
    }

    @Test
    void callsWithoutAServiceTokenAreUnauthorized() {
        io.restassured.RestAssured.given().header("X-Meridian-Tenant-Id", UUID.randomUUID().toString())
                .get("/v1/models").then().statusCode(401);
    }
}
