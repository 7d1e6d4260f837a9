package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.meridian.platform.PlatformOptions;
import dev.meridian.stack.KafkaBroker;
import dev.meridian.testing.OnnxModels;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Residency, proven rather than asserted: a tenant's content (a dataset, texts to embed and to infer, a fine-tuned
 * model, an uploaded ONNX model) is used through another region's gateway, then that region's database, blob store
 * and Kafka topics are searched byte for byte for it: nothing is found there, while the same search finds it in the
 * home region (so the search can fail). The same for the sovereign cn-north in both directions. Only metering ids and
 * counts cross regions ({@code usage.events}), never content.
 */
class ResidencyIT {

    private static final List<String> REGIONS = List.of(PlatformOptions.EU_CENTRAL, PlatformOptions.US_EAST,
            "cn-north");

    @Test
    void anEuCentralTenantsContentUsedThroughUsEastStaysInEuCentral() throws Exception {
        String marker = "residency-eu-" + UUID.randomUUID().toString().substring(0, 8);
        useContent("eu-central", SystemUnderTest.us(), marker);

        assertThat(wherever(marker, "eu-central")).as("the home region holds the content: the search works")
                .isNotEmpty();
        for (String region : List.of("us-east", "cn-north")) {
            assertThat(wherever(marker, region)).as("%s's content found in %s", "eu-central", region).isEmpty();
        }
        assertThat(inTopics(marker, topic -> !topic.startsWith("eu-central."))).as("content on a shared or"
                + " another region's topic").isEmpty();
    }

    @Test
    void aCnNorthTenantsContentStaysInCnNorth() throws Exception {
        String marker = "residency-cn-" + UUID.randomUUID().toString().substring(0, 8);
        useContent("cn-north", SystemUnderTest.cn(), marker);

        assertThat(wherever(marker, "cn-north")).as("the home region holds the content: the search works")
                .isNotEmpty();
        for (String region : List.of("eu-central", "us-east")) {
            assertThat(wherever(marker, region)).as("cn-north's content found in %s", region).isEmpty();
        }
        assertThat(inTopics(marker, topic -> !topic.startsWith("cn-north."))).as("content on a shared or another"
                + " region's topic").isEmpty();
    }

    /** The tenant {@link #useContent} created, its owner and its key. */
    record Used(ConsoleUser owner, String tenant, String name, String key) {
    }

    /**
     * A tenant homed in {@code home} uploads a dataset and a model, embeds and infers texts and fine-tunes, all
     * through {@code gateway}, every piece of content carrying {@code marker}.
     */
    static Used useContent(String home, String gateway, String marker) {
        var owner = ConsoleUser.signUp();
        String name = "Residency " + home + " " + marker;
        String tenant = owner.createTenant(name, home, "payg");
        String key = owner.createKeySecret(tenant, List.of("inference", "models", "fine-tune"));

        var lines = new ArrayList<String>();
        for (int i = 0; i < 6; i++) {
            lines.add("{\"text\":\"" + marker + " the striker scored goal " + i + "\",\"label\":\"sports\"}");
            lines.add("{\"text\":\"" + marker + " the chef baked loaf " + i + "\",\"label\":\"cooking\"}");
        }
        String file = as(key, gateway).multiPart("purpose", "fine-tune").multiPart("file", marker + ".jsonl",
                        (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(200).header("X-Meridian-Served-By", equalTo(home))
                .extract().path("id");
        as(key, gateway).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "input", marker + " a text to embed"))
                .post("/v1/embeddings").then().statusCode(200).header("X-Meridian-Served-By", equalTo(home));
        as(key, gateway).contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "text", "datatype", "BYTES", "shape", List.of(1),
                        "data", List.of(marker + " a text to infer")))))
                .post("/v2/models/bge-small-zh-v1.5-q/infer").then().statusCode(200);
        as(key, gateway).multiPart("file", marker + ".onnx", withMarker(OnnxModels.addConstant(1f, 2f), marker),
                        "application/octet-stream")
                .multiPart("name", "m-" + marker).post("/v1/models").then().statusCode(201);
        String job = as(key, gateway).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "training_file", file, "suffix", "res", "seed", 7,
                        "method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters",
                                Map.of("n_epochs", 1, "batch_size", 4)))))
                .post("/v1/fine_tuning/jobs").then().statusCode(200).extract().path("id");
        await("the fine-tune job of " + home + " succeeded").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> "succeeded".equals(as(key, gateway).get("/v1/fine_tuning/jobs/" + job).then()
                        .statusCode(200).extract().path("status")));
        return new Used(owner, tenant, name, key);
    }

    /** The ONNX model with {@code marker} as its doc string: content a registry keeps, that must stay home. */
    private static byte[] withMarker(byte[] model, String marker) {
        // field 6 (doc_string, length-delimited) appended to the ModelProto: still a valid model
        byte[] text = marker.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[model.length + 2 + text.length];
        System.arraycopy(model, 0, out, 0, model.length);
        out[model.length] = (6 << 3) | 2;
        out[model.length + 1] = (byte) text.length;
        System.arraycopy(text, 0, out, model.length + 2, text.length);
        return out;
    }

    /** Where in {@code region}'s database and blob store {@code marker} occurs (as text, or hex-encoded bytes). */
    static List<String> wherever(String marker, String region) throws SQLException, IOException {
        var found = new ArrayList<String>();
        String hex = HexFormat.of().formatHex(marker.getBytes(StandardCharsets.UTF_8));
        try (var c = SystemUnderTest.platform().postgres().admin(PlatformOptions.regionDatabase(region));
                var tables = c.createStatement().executeQuery("select table_schema, table_name from"
                        + " information_schema.tables where table_type = 'BASE TABLE' and table_schema not in"
                        + " ('pg_catalog', 'information_schema')")) {
            var names = new ArrayList<String>();
            while (tables.next()) {
                names.add("\"" + tables.getString(1) + "\".\"" + tables.getString(2) + "\"");
            }
            for (String table : names) {
                try (var s = c.prepareStatement("select count(*) from " + table + " t where t::text like ? or"
                        + " t::text like ?")) {
                    s.setString(1, "%" + marker + "%");
                    s.setString(2, "%" + hex + "%");
                    try (var r = s.executeQuery()) {
                        r.next();
                        if (r.getLong(1) > 0) {
                            found.add(region + " database " + table);
                        }
                    }
                }
            }
        }
        Path blobs = SystemUnderTest.platform().stateDir().resolve("blobs").resolve(region);
        if (Files.isDirectory(blobs)) {
            byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
            try (Stream<Path> files = Files.walk(blobs)) {
                files.filter(Files::isRegularFile).filter(f -> contains(read(f), needle))
                        .forEach(f -> found.add(region + " blob " + blobs.relativize(f)));
            }
        } else {
            assertThat(REGIONS).as("a running region without a blob store").doesNotContain(region);
        }
        return found;
    }

    /** The topics (of those {@code searched} admits) that carry {@code marker} in a key or value, read in full. */
    static List<String> inTopics(String marker, java.util.function.Predicate<String> searched)
            throws Exception {
        var p = SystemUnderTest.platform();
        Map<String, Object> admin = Map.of("bootstrap.servers", p.kafkaBootstrap(), "security.protocol",
                "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + KafkaBroker.ADMIN
                        + "\" password=\"" + p.secrets().kafkaPassword(KafkaBroker.ADMIN) + "\";");
        List<String> topics;
        try (Admin a = Admin.create(admin)) {
            topics = a.listTopics().names().get().stream().filter(searched).sorted().toList();
        }
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        var found = new ArrayList<String>();
        var settings = new java.util.HashMap<>(admin);
        settings.put("enable.auto.commit", false);
        try (var consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = new ArrayList<TopicPartition>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (contains(r.key(), needle) || contains(r.value(), needle)) {
                        found.add(r.topic() + "-" + r.partition() + "@" + r.offset());
                    }
                }
            }
            assertThat(partitions).as("every topic read to its end").allMatch(tp -> consumer.position(tp)
                    >= end.get(tp));
        }
        return found;
    }

    static RequestSpecification as(String key, String gateway) {
        return given().baseUri(gateway).header("Authorization", "Bearer " + key);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
