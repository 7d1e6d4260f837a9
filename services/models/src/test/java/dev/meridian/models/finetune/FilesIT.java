package dev.meridian.models.finetune;

import static dev.meridian.models.finetune.FineTuneCalls.as;
import static dev.meridian.models.finetune.FineTuneCalls.jsonl;
import static dev.meridian.models.finetune.FineTuneCalls.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.meridian.common.tenant.MeridianHeaders;
import dev.meridian.testing.MeridianStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @io.quarkus.test.common.ResourceArg(name = "database", value = "meridian_eu_central"))
class FilesIT {

    private final UUID tenant = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();

    @Test
    void uploadedFileIsListedReadAndDeleted() {
        String content = jsonl("{\"text\":\"good\",\"label\":\"pos\"}", "{\"text\":\"bad\",\"label\":\"neg\"}");
        String id = upload(tenant, "train.jsonl", content);
        as(tenant).get("/v1/files/" + id).then().statusCode(200).body("object", equalTo("file"))
                .body("purpose", equalTo("fine-tune")).body("filename", equalTo("train.jsonl"))
                .body("bytes", equalTo(content.getBytes(StandardCharsets.UTF_8).length));
        as(tenant).get("/v1/files").then().statusCode(200).body("data.id", hasItem(id));
        String body = as(tenant).get("/v1/files/" + id + "/content").then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(body).isEqualTo(content);
        as(tenant).delete("/v1/files/" + id).then().statusCode(200).body("deleted", equalTo(true));
        as(tenant).get("/v1/files/" + id).then().statusCode(404).body("error.code", equalTo("file_not_found"));
    }

    @Test
    void anotherTenantCannotSeeReadOrDeleteTheFile() {
        String id = upload(tenant, "mine.jsonl", jsonl("{\"text\":\"x\",\"label\":\"a\"}"));
        as(other).get("/v1/files/" + id).then().statusCode(404);
        as(other).get("/v1/files/" + id + "/content").then().statusCode(404);
        as(other).delete("/v1/files/" + id).then().statusCode(404);
        as(other).get("/v1/files").then().statusCode(200).body("data.id", not(hasItem(id)));
        as(tenant).get("/v1/files/" + id).then().statusCode(200);
    }

    @Test
    void aFileThatIsNotJsonlIsRefusedWithItsBadLines() {
        as(tenant).multiPart("purpose", "fine-tune")
                .multiPart("file", "t.jsonl", "{\"text\":\"ok\",\"label\":\"a\"}\nnot json\n{\"text\":\n".getBytes(),
                        "application/jsonl")
                .post("/v1/files").then().statusCode(400).body("error.code", equalTo("invalid_file_format"))
                .body("error.message", containsString("line 2")).body("error.message", containsString("line 3"));
        as(tenant).multiPart("purpose", "fine-tune").multiPart("file", "t.csv", "a,b\n".getBytes(), "text/csv")
                .post("/v1/files").then().statusCode(400).body("error.param", equalTo("file"));
        as(tenant).multiPart("purpose", "assistants").multiPart("file", "t.jsonl", "{}\n".getBytes(), "x/y")
                .post("/v1/files").then().statusCode(400).body("error.param", equalTo("purpose"));
    }

    @Test
    void blankNonObjectAndOverlongLinesAreRefusedNamingTheirLinesAndNothingIsStored() {
        String content = "{\"text\":\"ok\",\"label\":\"a\"}\n\n1\n[\"a\"]\n{\"text\":\"" + "x".repeat(300_000)
                + "\",\"label\":\"a\"}\n{\"text\":\"fine\",\"label\":\"b\"}\n";
        as(tenant).multiPart("purpose", "fine-tune")
                .multiPart("file", "t.jsonl", content.getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(400).body("error.code", equalTo("invalid_file_format"))
                .body("error.param", equalTo("file"))
                .body("error.message", containsString("4 lines are not one JSON object"))
                .body("error.message", containsString("line 2: empty line"))
                .body("error.message", containsString("line 3: not a JSON object"))
                .body("error.message", containsString("line 4: not a JSON object"))
                .body("error.message", containsString("line 5: the line has more than 262144 bytes"));
        as(tenant).get("/v1/files").then().statusCode(200).body("data", org.hamcrest.Matchers.empty());
    }

    @Test
    void onlyGatewaysMayCall() {
        given().header(MeridianHeaders.TENANT_ID, tenant.toString()).get("/v1/files").then().statusCode(401);
    }
}
