package dev.meridian.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.events.ModelChange;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.testing.OnnxModels;
import dev.meridian.testing.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The region's side of closing and erasing a tenant, driven by tenancy's events on the real Kafka: a closed tenant's
 * jobs are cancelled and models undeployed; an erased tenant leaves no row and no blob in the region, and its
 * neighbour loses nothing.
 */
@QuarkusTest
class TenantErasureIT {

    private static final List<String> TABLES = List.of("finetune_job_events", "finetune_checkpoints",
            "finetune_jobs", "finetune_files", "model_upload_parts", "model_uploads", "model_versions",
            "tenant_models", "tenant_exports");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Inject
    BlobStore blobs;

    @Test
    void aClosedTenantStopsBeingServedAndAnErasedOneLeavesNothingInTheRegion() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID neighbour = UUID.randomUUID();
        for (UUID t : List.of(tenant, neighbour)) {
            Registry.upload(t, "m", OnnxModels.addConstant(1f)).post("/v1/models").then().statusCode(201);
            Registry.as(t).post("/v1/models/m/versions/1/deploy").then().statusCode(200);
        }
        String file = uploadDataset(tenant);
        uploadDataset(neighbour);
        String job = Registry.as(tenant).contentType(ContentType.JSON)
                .body(Map.of("model", "all-minilm-l6-v2", "training_file", file)).post("/v1/fine_tuning/jobs")
                .then().statusCode(200).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Registry.as(tenant)
                .get("/v1/fine_tuning/jobs/" + job).then().body("status", equalTo("queued")));
        // what a worker leaves that no table names: the embedding chunks of a run
        blobs.put("tenants/" + tenant + "/fine-tuning/" + job + "/checkpoints/embeddings-0.bin",
                "vectors".getBytes(StandardCharsets.UTF_8));

        try (var changes = new ModelChangesConsumer()) {
            publish(tenant, TenancyChange.TENANT_CLOSED);
            assertThat(changes.await(tenant.toString(), 1, Duration.ofSeconds(30))).extracting(ModelChange::type)
                    .containsExactly(ModelChange.VERSION_UNDEPLOYED);
            Registry.as(tenant).get("/v1/fine_tuning/jobs/" + job).then().statusCode(200)
                    .body("status", equalTo("cancelled"));
            Registry.as(tenant).get("/v1/models/m/versions/1").then().statusCode(200)
                    .body("deployed", equalTo(false));
            assertThat(Registry.blobsOf(tenant)).isEqualTo(3);

            publish(tenant, TenancyChange.TENANT_ERASED);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String table : TABLES) {
                    assertThat(Registry.rows(tenant, table)).as(table).isZero();
                }
                assertThat(Registry.blobsOf(tenant)).isZero();
            });
            assertThat(Registry.BLOBS.resolve("tenants").resolve(tenant.toString())).doesNotExist();
            assertThat(Registry.outboxRowsOf(tenant)).as("published outbox rows naming the tenant").isZero();
            Registry.as(tenant).get("/v1/files/" + file).then().statusCode(404);
            Registry.as(tenant).get("/v1/models/m").then().statusCode(404);

            // a second delivery of either event changes nothing, and the neighbour kept everything
            publish(tenant, TenancyChange.TENANT_ERASED);
            publish(tenant, TenancyChange.TENANT_CLOSED);
            publish(neighbour, TenancyChange.TENANT_UPDATED);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Registry.rows(neighbour, "tenant_models")).isEqualTo(1));
            assertThat(changes.await(tenant.toString(), 2, Duration.ofSeconds(2))).as("nothing after the undeploy")
                    .hasSize(1);
        }
        assertThat(Registry.blobsOf(tenant)).isZero();
        Registry.as(neighbour).get("/v1/models/m/versions/1").then().statusCode(200).body("deployed", equalTo(true));
        assertThat(Registry.rows(neighbour, "finetune_files")).isEqualTo(1);
        assertThat(Registry.blobsOf(neighbour)).isEqualTo(2);
    }

    private static String uploadDataset(UUID tenant) {
        var lines = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            lines.append("{\"text\":\"great product number ").append(i).append("\",\"label\":\"positive\"}\n")
                    .append("{\"text\":\"awful product number ").append(i).append("\",\"label\":\"negative\"}\n");
        }
        return Registry.as(tenant).multiPart("purpose", "fine-tune")
                .multiPart("file", "reviews.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8),
                        "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
    }

    /** Publishes a tenancy change as tenancy's outbox relay does: keyed by tenant, as the tenancy principal. */
    private static void publish(UUID tenant, String type) throws Exception {
        var change = new TenancyChange(UUID.randomUUID(), type, tenant, null, null, null, null, Instant.now());
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("tenancy", Map.of("acks", "all")),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TenancyChange.TOPIC, tenant.toString(), JSON.writeValueAsString(change)))
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
