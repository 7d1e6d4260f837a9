package dev.meridian.models;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.testing.OnnxModels;
import dev.meridian.testing.TinyDecoder;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Generative model packages (#18): a ZIP of a decoder with its KV cache, tokenizer.json and config files uploads as
 * a text-generation version, and inference learns how to run it from the internal deployed answer. Each broken
 * package is a 400 naming what is wrong, and leaves no model, version or blob behind.
 */
@QuarkusTest
class GenerativeModelIT {

    private static final TinyDecoder DECODER = TinyDecoder.builder().build();
    private static final ObjectMapper SNAKE_CASE = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private static byte[] packageWith(Consumer<Map<String, byte[]>> change) {
        Map<String, byte[]> files = new LinkedHashMap<>(DECODER.files());
        change.accept(files);
        return TinyDecoder.zip(files);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static io.restassured.specification.RequestSpecification inference() {
        return given().header("Authorization", "Bearer " + Registry.inferenceToken());
    }

    @Test
    void aPackageBecomesATextGenerationVersionThatInferenceIsToldHowToRun() throws Exception {
        UUID tenant = UUID.randomUUID();
        byte[] pkg = DECODER.packageZip();
        Registry.upload(tenant, "tiny", pkg).post("/v1/models").then().statusCode(201)
                .body("version", equalTo(1))
                .body("sha256", equalTo(sha256(DECODER.onnx())))
                .body("bytes", equalTo(DECODER.onnx().length))
                .body("task", equalTo("text-generation"))
                .body("generation.context_length", equalTo(256))
                .body("generation.eos_token_ids", equalTo(List.of(2)))
                .body("generation.has_chat_template", equalTo(true));
        Registry.as(tenant).get("/v1/models/tiny").then().statusCode(200)
                .body("task", equalTo("text-generation")).body("generation.context_length", equalTo(256));
        Registry.as(tenant).get("/v1/models").then().statusCode(200)
                .body("data.find { it.id == 'tiny' }.task", equalTo("text-generation"));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(2); // the decoder and its tokenizer.json

        Registry.as(tenant).post("/v1/models/tiny/versions/1/deploy").then().statusCode(200);
        String deployed = inference().get("/internal/v1/tenants/" + tenant + "/models/tiny/deployed").then()
                .statusCode(200)
                .body("versions[0].task", equalTo("text-generation"))
                .extract().asString();
        // the contract inference reads: GenerationSpec's components in snake case, as both services' Jackson writes
        JsonNode generation = SNAKE_CASE.readTree(deployed).at("/versions/0/generation");
        assertThat(generation.propertyStream().map(Map.Entry::getKey)).containsExactlyInAnyOrder(
                "tokenizer_blob_key", "tokenizer_sha256", "chat_template", "bos_token", "eos_token", "bos_token_id",
                "eos_token_ids", "pad_token_id", "max_context", "vocab_size", "layers", "kv_heads", "head_dim",
                "position_ids");
        GenerationSpec spec = SNAKE_CASE.treeToValue(generation, GenerationSpec.class);
        String tokenizerKey = spec.tokenizerBlobKey();
        assertThat(spec).isEqualTo(new GenerationSpec(tokenizerKey,
                sha256(utf8(TinyDecoder.tokenizerJson())), TinyDecoder.CHAT_TEMPLATE, "<s>", "</s>", TinyDecoder.BOS,
                List.of(TinyDecoder.EOS), TinyDecoder.PAD, 256, 40, 2, 2, 24, true));
        assertThat(tokenizerKey).startsWith("tenants/" + tenant + "/");
        assertThat(Files.readString(Registry.BLOBS.resolve(tokenizerKey))).isEqualTo(TinyDecoder.tokenizerJson());

        // the same package again is the same version
        Registry.upload(tenant, "tiny", pkg).post("/v1/models").then().statusCode(200).body("version", equalTo(1));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(2);
    }

    @Test
    void aPackageInAFolderWithoutPositionIdsUploadsThroughTheUploadsApi() throws Exception {
        UUID tenant = UUID.randomUUID();
        var decoder = TinyDecoder.builder().withoutPositionIds().build();
        Map<String, byte[]> files = new LinkedHashMap<>();
        decoder.files().forEach((name, bytes) -> files.put("tiny-export/" + name, bytes));
        files.put("tiny-export/README.md", utf8("a tiny model"));
        byte[] pkg = TinyDecoder.zip(files);
        String upload = Registry.as(tenant).contentType("application/json")
                .body(Map.of("filename", "tiny.zip", "bytes", pkg.length, "mime_type", "application/zip",
                        "purpose", "model"))
                .post("/v1/uploads").then().statusCode(201).extract().path("id");
        String part = Registry.as(tenant).multiPart("data", "part", pkg, "application/octet-stream")
                .post("/v1/uploads/" + upload + "/parts").then().statusCode(201).extract().path("id");
        Registry.as(tenant).contentType("application/json").body(Map.of("part_ids", List.of(part), "name", "tiny"))
                .post("/v1/uploads/" + upload + "/complete").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("model_version.task", equalTo("text-generation"))
                .body("model_version.generation.has_chat_template", equalTo(true));
        Registry.as(tenant).post("/v1/models/tiny/versions/1/deploy").then().statusCode(200);
        inference().get("/internal/v1/tenants/" + tenant + "/models/tiny/deployed").then().statusCode(200)
                .body("versions[0].generation.position_ids", equalTo(false))
                .body("versions[0].generation.layers", equalTo(2));
        assertThat(Registry.blobsOf(tenant)).isEqualTo(2);
    }

    @Test
    void bareOnnxModelsHaveNoTaskOrGeneration() {
        UUID tenant = UUID.randomUUID();
        Registry.upload(tenant, "adder", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(201)
                .body("task", nullValue()).body("generation", nullValue());
        Registry.as(tenant).post("/v1/models/adder/versions/1/deploy").then().statusCode(200);
        inference().get("/internal/v1/tenants/" + tenant + "/models/adder/deployed").then().statusCode(200)
                .body("versions[0].task", nullValue()).body("versions[0].generation", nullValue());
    }

    @Test
    void deletingAGenerativeVersionDeletesItsTokenizerToo() throws Exception {
        UUID tenant = UUID.randomUUID();
        Registry.upload(tenant, "tiny", DECODER.packageZip()).post("/v1/models").then().statusCode(201);
        assertThat(Registry.blobsOf(tenant)).isEqualTo(2);
        Registry.as(tenant).delete("/v1/models/tiny/versions/1").then().statusCode(200);
        assertThat(Registry.blobsOf(tenant)).isZero();
    }

    private void refused(byte[] pkg, String check, String mentions) throws Exception {
        Registry.assertRefusedLeavingNothing(pkg, 400, check, mentions);
    }

    @Test
    void aPackageWithoutTokenizerJsonIsRefused() throws Exception {
        refused(packageWith(f -> f.remove("tokenizer.json")), "package", "no tokenizer.json");
    }

    @Test
    void aPackageWithTwoOnnxFilesIsRefused() throws Exception {
        refused(packageWith(f -> f.put("encoder.onnx", OnnxModels.addConstant(1f))), "package", "2 .onnx files");
    }

    @Test
    void aDecoderWithoutPastInputsIsRefused() throws Exception {
        refused(packageWith(f -> f.put("model.onnx", OnnxModels.addConstant(1f))), "decoder_signature",
                "no input 'input_ids'");
        refused(packageWith(f -> f.put("model.onnx", TinyDecoder.builder().layers(0).build().onnx())),
                "decoder_signature", "takes no past_key_values");
    }

    @Test
    void aKvLayoutMismatchIsRefused() throws Exception {
        var mismatched = TinyDecoder.builder().declaredPresentHeadDim(12).build();
        refused(packageWith(f -> f.put("model.onnx", mismatched.onnx())), "decoder_signature",
                "present.0 has 2 kv heads of 12, but past_key_values.0 has 2 of 24");
    }

    @Test
    void aTokenizerLargerThanTheLogitsIsRefused() throws Exception {
        String bigger = TinyDecoder.tokenizerJson().replace("\"mat\":39", "\"mat\":39,\"dog\":40,\"ran\":41");
        refused(packageWith(f -> f.put("tokenizer.json", utf8(bigger))), "tokenizer",
                "tokenizer.json has 42 tokens");
    }

    @Test
    void anEosIdOutsideTheVocabularyIsRefused() throws Exception {
        refused(packageWith(f -> f.put("generation_config.json", utf8("{\"bos_token_id\":1,\"eos_token_id\":[2,99]}"))),
                "generation_config", "eos_token_id 99 is outside the tokenizer's vocabulary");
    }

    @Test
    void aChatTemplateThatDoesNotRenderIsRefusedQuotingItsError() throws Exception {
        String config = "{\"bos_token\":\"<s>\",\"eos_token\":{\"content\":\"</s>\"},"
                + "\"chat_template\":\"{% for m in messages %}{{ raise_exception('roles must alternate') }}"
                + "{% endfor %}\"}";
        refused(packageWith(f -> f.put("tokenizer_config.json", utf8(config))), "chat_template",
                "roles must alternate");
    }

    @Test
    void aPackageWithoutAContextLengthIsRefused() throws Exception {
        refused(packageWith(f -> f.put("config.json", utf8("{\"model_type\":\"meridian-tiny\"}"))),
                "generation_config", "context length");
    }

    @Test
    void aPathTraversalEntryIsRefused() throws Exception {
        refused(packageWith(f -> f.put("../../escape.txt", utf8("x"))), "package", "climbs out of the package");
        refused(packageWith(f -> f.put("/etc/evil.json", utf8("x"))), "package", "absolute path");
    }

    @Test
    void anEntryThatInflatesPastTheSizeCapIsRefused() throws Exception {
        // 1 MiB of zeros deflates to about a kilobyte; the test cap is 256 KiB
        refused(packageWith(f -> f.put("tokenizer.json", new byte[1 << 20])), "package",
                "inflate to more than 262144 bytes");
    }
}
