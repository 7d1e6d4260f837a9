package dev.meridian.models.finetune.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneTopics;
import dev.meridian.common.kafka.KafkaTopics;
import dev.meridian.common.tenant.TenantSession;
import dev.meridian.models.finetune.FineTuneJob;
import dev.meridian.models.finetune.Topics;
import dev.meridian.models.finetune.service.Ids;
import dev.meridian.models.finetune.service.JobService;
import dev.meridian.models.finetune.service.TunedModelRegistration;
import dev.meridian.models.registry.service.ModelRegistry;
import dev.meridian.testing.MeridianStackResource;
import dev.meridian.testing.OnnxModels;
import dev.meridian.testing.TestStack;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import jakarta.enterprise.inject.Vetoed;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer of the workers' events against the real database, registry and Kafka: a cancel racing a success (the
 * interleaving forced with the job's row lock), events that can never be applied, and a consumer that fails.
 */
@QuarkusTest
@QuarkusTestResource(value = MeridianStackResource.class, restrictToAnnotatedClass = false,
        initArgs = @ResourceArg(name = "database", value = "meridian_eu_central"))
class FineTuneEventsConsumerIT {

    private static final String EVENTS = FineTuneTopics.events("eu-central");

    @Inject
    WorkerEventsConsumer consumer;
    @Inject
    JobService jobs;
    @Inject
    TenantSession scope;
    @Inject
    ModelRegistry registry;
    @Inject
    BlobStore blobs;
    @Inject
    ObjectMapper json;
    @Inject
    AgroalDataSource db;

    private final UUID tenant = UUID.randomUUID();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private String job(String status) {
        String id = Ids.next("ftjob");
        QuarkusTransaction.requiringNew().run(() -> {
            scope.bindTenant(tenant);
            var j = new FineTuneJob();
            j.id = id;
            j.tenantId = tenant;
            j.baseModel = "all-minilm-l6-v2";
            j.trainingFile = "file-x";
            j.seed = 1;
            j.requestedHyperparameters = "{}";
            j.labels = "[\"a\",\"b\",\"c\"]";
            j.status = status;
            j.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            j.persist();
        });
        return id;
    }

    private FineTuneJob read(String id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            scope.bindTenant(tenant);
            return FineTuneJob.<FineTuneJob>find("tenantId = ?1 and id = ?2", tenant, id).firstResult();
        });
    }

    /** A success event for a job whose exported model (a small valid ONNX model) is in the store. */
    private FineTuneEvent succeeded(String jobId) throws Exception {
        byte[] model = OnnxModels.addConstant(1f, 2f, 3f);
        String key = FineTuneBlobs.model(tenant, jobId);
        blobs.put(key, model);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        return event(jobId, FineTuneEvent.SUCCEEDED, new FineTuneEvent.Result(key, model.length, sha,
                List.of("a", "b", "c"), 30, 3, Map.of("train_loss", 0.1)));
    }

    private FineTuneEvent event(String jobId, String type, FineTuneEvent.Result result) {
        return new FineTuneEvent(UUID.randomUUID(), type, jobId, tenant, "info", "the worker says " + type, null, null,
                null, null, result, null, "it-worker", Instant.now());
    }

    private ConsumerRecord<String, String> record(FineTuneEvent e) throws Exception {
        return new ConsumerRecord<>(EVENTS, 0, 0, e.jobId(), json.writeValueAsString(e));
    }

    /** Whether some transaction waits for a row lock now (the database's own view, not a guess from timing). */
    private boolean someoneWaitsForALock() throws Exception {
        try (var c = db.getConnection(); var rs = c.createStatement()
                .executeQuery("select count(*) from pg_locks where not granted")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    @Test
    void aCancelThatCommitsFirstLeavesNoModelVersionDeployedOrStored() throws Exception {
        String id = job(FineTuneJob.RUNNING);
        var success = succeeded(id);
        String modelName = "ft:all-minilm-l6-v2::" + id;
        var cancelled = new CountDownLatch(1);
        var commit = new CountDownLatch(1);

        // the cancel holds the job's row lock, not yet committed, when the success event comes in
        Future<?> cancel = threads.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
            jobs.cancel(tenant, id);
            cancelled.countDown();
            try {
                commit.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        Future<?> applied = threads.submit(() -> {
            consumer.handle(record(success));
            return null;
        });
        // the success waits for the lock before it looks at the job, so before it registers anything
        await().atMost(Duration.ofSeconds(30)).until(this::someoneWaitsForALock);
        assertThat(registry.find(tenant, modelName)).isEmpty();
        commit.countDown();
        cancel.get(30, TimeUnit.SECONDS);
        applied.get(60, TimeUnit.SECONDS);

        assertThat(read(id).status).isEqualTo(FineTuneJob.CANCELLED);
        assertThat(read(id).fineTunedModel).isNull();
        assertThat(registry.find(tenant, modelName)).as("no version registered, deployed or metered").isEmpty();
        assertThat(registry.list(tenant)).isEmpty();
    }

    /** Registration that stops once it has the job's lock, until the test lets it go on (not a bean: vetoed). */
    @Vetoed
    static final class HeldRegistration extends TunedModelRegistration {
        final CountDownLatch registering = new CountDownLatch(1);
        final CountDownLatch finish = new CountDownLatch(1);

        @Override
        public Outcome register(UUID tenantId, String modelName, String baseModel, String jobId,
                FineTuneEvent.Result result) throws InterruptedException {
            registering.countDown();
            finish.await(60, TimeUnit.SECONDS);
            return new Outcome(modelName, 1, "tenants/" + tenantId + "/versions/x.onnx", null);
        }

        @Override
        public void deploy(UUID tenantId, Outcome registered) {
        }

        @Override
        public void discardExport(UUID tenantId, String jobId, FineTuneEvent.Result result, String registeredKey) {
        }
    }

    @Test
    void aCancelWhileTheModelIsRegisteredWaitsAndThenFindsTheJobSucceeded() throws Exception {
        var held = new HeldRegistration();
        QuarkusMock.installMockForType(held, TunedModelRegistration.class);
        String id = job(FineTuneJob.RUNNING);
        var success = succeeded(id);

        Future<?> applied = threads.submit(() -> {
            consumer.handle(record(success));
            return null;
        });
        assertThat(held.registering.await(30, TimeUnit.SECONDS)).isTrue();
        Future<Integer> cancel = threads.submit(() -> {
            try {
                jobs.cancel(tenant, id);
                return 200;
            } catch (ApiException e) {
                return e.status();
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(this::someoneWaitsForALock);
        assertThat(cancel).isNotDone();
        held.finish.countDown();
        applied.get(60, TimeUnit.SECONDS);

        assertThat(cancel.get(30, TimeUnit.SECONDS)).as("job_not_cancellable").isEqualTo(400);
        assertThat(read(id).status).isEqualTo(FineTuneJob.SUCCEEDED);
    }

    private void send(String key, String value) throws Exception {
        try (var producer = new KafkaProducer<>(TestStack.get().kafkaAs("worker", Map.of("acks", "all")),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(EVENTS, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void eventsThatCanNeverBeAppliedGoToTheDeadLetterTopicAndTheNextEventIsApplied() throws Exception {
        String id = job(FineTuneJob.QUEUED);
        // same key, so the same partition, in this order
        send(id, "not json at all");
        send(id, "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"running\",\"job_id\":\"" + id + "\"}");
        send(id, json.writeValueAsString(event(id, FineTuneEvent.RUNNING, null)));

        await().atMost(Duration.ofSeconds(60)).until(() -> FineTuneJob.RUNNING.equals(read(id).status));
        var dead = Topics.readUntil(KafkaTopics.deadLetter(EVENTS),
                r -> id.equals(r.key()) && r.value().contains("\"type\":\"running\""), Duration.ofSeconds(30))
                .stream().filter(r -> id.equals(r.key())).toList();
        assertThat(dead).hasSize(2);
        assertThat(header(dead.get(0), KafkaDeadLetterQueue.DEAD_LETTER_REASON)).startsWith("not a fine-tuning event");
        assertThat(header(dead.get(1), KafkaDeadLetterQueue.DEAD_LETTER_REASON)).contains("tenant_id");
        assertThat(header(dead.get(1), KafkaDeadLetterQueue.DEAD_LETTER_TOPIC)).isEqualTo(EVENTS);
    }

    /** Registration that fails unexpectedly while {@code failing} is set, then refuses the model. */
    @Vetoed
    static final class FailingRegistration extends TunedModelRegistration {
        final AtomicBoolean failing = new AtomicBoolean(true);

        @Override
        public Outcome register(UUID tenantId, String modelName, String baseModel, String jobId,
                FineTuneEvent.Result result) {
            if (failing.get()) {
                throw new IllegalStateException("the registry is unreachable (a test's failure)");
            }
            return new Outcome(modelName, null, null, "refused by the test");
        }
    }

    @Test
    void aConsumerWhoseProcessingFailsRetriesAndIsNotReadyUntilItConsumesAgain() throws Exception {
        var failing = new FailingRegistration();
        QuarkusMock.installMockForType(failing, TunedModelRegistration.class);
        String id = job(FineTuneJob.RUNNING);
        send(id, json.writeValueAsString(succeeded(id)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503).body("checks.find { it.name == 'finetune-events consumer' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'finetune-events consumer' }.data.problem",
                        containsString("the registry is unreachable")));
        assertThat(read(id).status).isEqualTo(FineTuneJob.RUNNING);

        failing.failing.set(false);
        await().atMost(Duration.ofSeconds(90)).until(() -> FineTuneJob.FAILED.equals(read(id).status));
        assertThat(read(id).errorCode).isEqualTo("model_registration_failed");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200).body("checks.name", hasItem("finetune-events consumer")));
    }
}
