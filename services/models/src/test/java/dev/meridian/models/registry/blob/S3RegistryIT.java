package dev.meridian.models.registry.blob;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.OnnxModels;
import dev.meridian.testing.TestS3;
import dev.meridian.testing.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The registry with {@code meridian.models.blobs.store=s3} on a real S3-compatible server: artifacts land in the
 * bucket, the internal lookup points inference at them, a refused upload and a deleted version leave nothing there.
 */
@QuarkusTest
@TestProfile(S3RegistryIT.OnS3.class)
class S3RegistryIT {

    /** The same service, its blob store on a bucket of the test JVM's S3 server. */
    public static class OnS3 implements QuarkusTestProfile {
        static final String BUCKET = "meridian-registry-it";

        @Override
        public Map<String, String> getConfigOverrides() {
            var s3 = TestS3.get();
            s3.createBucket(BUCKET);
            return Map.of("meridian.models.blobs.store", "s3",
                    "meridian.models.blobs.s3.endpoint", s3.url(),
                    "meridian.models.blobs.s3.bucket", BUCKET,
                    "meridian.models.blobs.s3.access-key-id", s3.accessKeyId(),
                    "meridian.models.blobs.s3.secret-access-key", s3.secretAccessKey());
        }
    }

    private static RequestSpecification as(UUID tenant) {
        return given().header("Authorization", "Bearer " + TestStack.get().serviceToken("meridian-gateway"))
                .header(MeridianHeaders.TENANT_ID, tenant.toString())
                .header(MeridianHeaders.KEY_ID, UUID.randomUUID().toString())
                .header(MeridianHeaders.SCOPES, "models,inference")
                .header(MeridianHeaders.REGION, "eu-central")
                .header(MeridianHeaders.HOME_REGION, "eu-central");
    }

    private static long objectsOf(UUID tenant) {
        return TestS3.get().objects(OnS3.BUCKET, "tenants/" + tenant);
    }

    @Test
    void anUploadedVersionLivesInTheBucketUntilItIsDeleted() throws Exception {
        UUID tenant = UUID.randomUUID();
        byte[] model = OnnxModels.addConstant(1f, 2f, 3f);
        as(tenant).multiPart("file", "model.onnx", model, "application/octet-stream").multiPart("name", "adder")
                .post("/v1/models").then().statusCode(201).body("version", equalTo(1));
        assertThat(objectsOf(tenant)).isEqualTo(1);

        as(tenant).post("/v1/models/adder/versions/1/deploy").then().statusCode(200);
        String blobKey = given().header("Authorization", "Bearer " + TestStack.get().serviceToken("meridian-inference"))
                .get("/internal/v1/tenants/" + tenant + "/models/adder/deployed").then().statusCode(200)
                .extract().path("versions[0].blob_key");
        var s3 = TestS3.get();
        var store = new dev.meridian.common.blob.S3BlobStore(s3.url(), OnS3.BUCKET, "us-east-1", s3.accessKeyId(),
                s3.secretAccessKey());
        try (InputStream in = store.open(blobKey)) {
            assertThat(in.readAllBytes()).as("what inference would load").isEqualTo(model);
        }

        as(tenant).post("/v1/models/adder/versions/1/undeploy").then().statusCode(200);
        as(tenant).delete("/v1/models/adder/versions/1").then().statusCode(200);
        assertThat(objectsOf(tenant)).isZero();
    }

    @Test
    void aRefusedUploadLeavesNothingInTheBucket() {
        UUID tenant = UUID.randomUUID();
        as(tenant).multiPart("file", "model.onnx", "not protobuf \u0000\u00ff".getBytes(), "application/octet-stream")
                .multiPart("name", "broken").post("/v1/models").then().statusCode(400)
                .body("error.code", equalTo("onnx_parse"));
        assertThat(objectsOf(tenant)).isZero();
    }
}
