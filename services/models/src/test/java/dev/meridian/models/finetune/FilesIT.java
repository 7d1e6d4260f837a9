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

    @Test
    void aFileUploadedWithPiiRedactIsStoredWithPlaceholdersAndSaysHowManyOfEachKind() {
        String content = jsonl(
                "{\"text\":\"Write to ana@example.com or call +49 30 12345678\",\"label\":\"contact\"}",
                "{\"text\":\"Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00\",\"label\":\"pay\","
                        + "\"meta\":{\"ip\":\"192.168.0.7\",\"ids\":[\"11010519491231002X\"]},\"n\":4111}",
                "{\"text\":\"Order 12345 shipped\",\"label\":\"other\"}");
        String redacted = jsonl(
                "{\"text\":\"Write to [EMAIL] or call [PHONE]\",\"label\":\"contact\"}",
                "{\"text\":\"Card [PAYMENT_CARD], IBAN [IBAN]\",\"label\":\"pay\","
                        + "\"meta\":{\"ip\":\"[IP_ADDRESS]\",\"ids\":[\"[CN_RESIDENT_ID]\"]},\"n\":4111}",
                "{\"text\":\"Order 12345 shipped\",\"label\":\"other\"}");

        String id = as(tenant).multiPart("purpose", "fine-tune").multiPart("pii", "redact")
                .multiPart("file", "people.jsonl", content.getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(200)
                .body("pii.mode", equalTo("redact"))
                .body("pii.redacted.email", equalTo(1)).body("pii.redacted.phone", equalTo(1))
                .body("pii.redacted.payment_card", equalTo(1)).body("pii.redacted.iban", equalTo(1))
                .body("pii.redacted.ip_address", equalTo(1)).body("pii.redacted.cn_resident_id", equalTo(1))
                .body("bytes", equalTo(redacted.getBytes(StandardCharsets.UTF_8).length))
                .extract().path("id");

        String stored = as(tenant).get("/v1/files/" + id + "/content").then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(stored).isEqualTo(redacted);
        as(tenant).get("/v1/files/" + id).then().statusCode(200).body("pii.redacted.email", equalTo(1));
    }

    @Test
    void aFileStoredAsSentSaysNothingOfPiiAndAnUnknownModeIsRefusedStoringNothing() {
        String id = upload(tenant, "plain.jsonl", jsonl("{\"text\":\"ana@example.com\",\"label\":\"a\"}"));
        as(tenant).get("/v1/files/" + id).then().statusCode(200).body("$", not(org.hamcrest.Matchers.hasKey("pii")))
                .body("$", org.hamcrest.Matchers.hasKey("status_details"));

        UUID fresh = UUID.randomUUID();
        as(fresh).multiPart("purpose", "fine-tune").multiPart("pii", "mask")
                .multiPart("file", "t.jsonl", "{\"text\":\"x\",\"label\":\"a\"}\n".getBytes(), "application/jsonl")
                .post("/v1/files").then().statusCode(400).body("error.code", equalTo("invalid_value"))
                .body("error.param", equalTo("pii")).body("error.message", containsString("pii=redact"));
        as(fresh).get("/v1/files").then().statusCode(200).body("data", org.hamcrest.Matchers.empty());
    }
}
