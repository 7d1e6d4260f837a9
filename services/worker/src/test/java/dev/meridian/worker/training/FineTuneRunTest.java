package dev.meridian.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.blob.BlobStore;
import dev.meridian.common.blob.FileSystemBlobStore;
import dev.meridian.common.events.UsageEvent;
import dev.meridian.common.finetune.FineTuneBlobs;
import dev.meridian.common.finetune.FineTuneEvent;
import dev.meridian.common.finetune.FineTuneJobMessage;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run ends when something goes wrong: a failure of the job, or a worker stopping under it. */
class FineTuneRunTest {

    @TempDir
    Path dir;

    private static final Timer EPOCHS = Timer.builder("epochs").register(new SimpleMeterRegistry());

    private final UUID tenant = UUID.randomUUID();
    private final List<FineTuneEvent> events = new CopyOnWriteArrayList<>();
    private final EventSink sink = new EventSink() {
        @Override
        public void send(FineTuneEvent event, boolean durable) {
            events.add(event);
        }

        @Override
        public void usage(UsageEvent event) {
        }
    };

    /** A job whose training file is not in the store, so reading it fails right after the job starts. */
    private FineTuneJobMessage jobWithoutItsTrainingFile() {
        return new FineTuneJobMessage(UUID.randomUUID(), "ftjob-test", tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-x", FineTuneBlobs.file(tenant, "file-x"), 10, "00", 20),
                null, new FineTuneJobMessage.Hyperparameters(3, 8, 1.0), 7, List.of("a", "b"),
                "ft:all-minilm-l6-v2:t:ftjob-test", Instant.now());
    }

    private FileSystemBlobStore storeWithTwoEmbeddingChunks(FineTuneJobMessage job) throws Exception {
        var blobs = new FileSystemBlobStore(dir);
        for (int c = 0; c < 2; c++) {
            blobs.put(FineTuneBlobs.checkpoints(tenant, job.jobId()) + "/embeddings-" + c + ".bin", new byte[] {1});
        }
        return blobs;
    }

    @Test
    void aFailureOfTheJobFailsItAndDeletesWhatItEmbeddedOfTheTenantsData() throws Exception {
        var job = jobWithoutItsTrainingFile();
        var blobs = storeWithTwoEmbeddingChunks(job);

        var outcome = new FineTuneRun(job, null, blobs, sink, "w1", () -> false, () -> false, () -> false, EPOCHS)
                .run();

        assertThat(outcome).isEqualTo(FineTuneRun.Outcome.FAILED);
        assertThat(events).extracting(FineTuneEvent::type).endsWith(FineTuneEvent.FAILED);
        assertThat(events.getLast().error().code()).isEqualTo("training_failed");
        assertThat(blobs.exists(FineTuneBlobs.checkpoints(tenant, job.jobId()) + "/embeddings-0.bin")).isFalse();
        assertThat(blobs.exists(FineTuneBlobs.checkpoints(tenant, job.jobId()) + "/embeddings-1.bin")).isFalse();
    }

    @Test
    void aFailureWhileTheWorkerHandsTheJobOverLeavesTheJobToTheNextWorker() throws Exception {
        var job = jobWithoutItsTrainingFile();
        var blobs = storeWithTwoEmbeddingChunks(job);

        // the worker is closing: its calls fail because they are interrupted, not because of the job
        var outcome = new FineTuneRun(job, null, blobs, sink, "w1", () -> false, () -> true, () -> false, EPOCHS)
                .run();

        assertThat(outcome).isEqualTo(FineTuneRun.Outcome.HANDED_OVER);
        assertThat(events).extracting(FineTuneEvent::type).doesNotContain(FineTuneEvent.FAILED);
        assertThat(blobs.exists(FineTuneBlobs.checkpoints(tenant, job.jobId()) + "/embeddings-1.bin"))
                .as("kept for the worker that resumes the job").isTrue();
    }

    @Test
    void aJobMessageNamingAnotherTenantsFileFailsTheJobAndReadsNothingOfThatTenant() throws Exception {
        UUID victim = UUID.randomUUID();
        String victimsKey = FineTuneBlobs.file(victim, "file-secret");
        var store = new FileSystemBlobStore(dir);
        store.put(victimsKey, "{\"text\":\"secret\",\"label\":\"a\"}\n".getBytes());
        List<String> read = new CopyOnWriteArrayList<>();
        BlobStore recording = new BlobStore() {
            @Override
            public void put(String key, Path file) throws java.io.IOException {
                store.put(key, file);
            }

            @Override
            public java.io.InputStream open(String key) throws java.io.IOException {
                read.add(key);
                return store.open(key);
            }

            @Override
            public boolean exists(String key) throws java.io.IOException {
                read.add(key);
                return store.exists(key);
            }

            @Override
            public void delete(String key) throws java.io.IOException {
                store.delete(key);
            }

            @Override
            public List<String> list(String prefix) throws java.io.IOException {
                read.add(prefix);
                return store.list(prefix);
            }
        };
        // tenant's own job, but the training file's key is the victim's
        var job = new FineTuneJobMessage(UUID.randomUUID(), "ftjob-test", tenant, "eu-central", "all-minilm-l6-v2",
                new FineTuneJobMessage.DatasetRef("file-secret", victimsKey, 10, "00", 20), null,
                new FineTuneJobMessage.Hyperparameters(3, 8, 1.0), 7, List.of("a", "b"),
                "ft:all-minilm-l6-v2:t:ftjob-test", Instant.now());

        var outcome = new FineTuneRun(job, null, recording, sink, "w1", () -> false, () -> false, () -> false, EPOCHS)
                .run();

        assertThat(outcome).isEqualTo(FineTuneRun.Outcome.FAILED);
        assertThat(events).extracting(FineTuneEvent::type).containsExactly(FineTuneEvent.FAILED);
        assertThat(events.getLast().error().code()).isEqualTo("invalid_job");
        assertThat(events.getLast().error().message()).contains(victimsKey)
                .contains(FineTuneBlobs.file(tenant, "file-secret"));
        assertThat(read).noneMatch(key -> key.contains(victim.toString()));
    }
}
