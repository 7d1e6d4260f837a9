package dev.meridian.common.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The result event on the wire: result files travel as metadata, and events without them still read. */
class FineTuneEventTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void aResultWithResultFilesRoundTripsWithSnakeCaseFields() throws Exception {
        UUID tenant = UUID.randomUUID();
        var file = new FineTuneEvent.ResultFile("metrics.csv", FineTuneBlobs.resultFile(tenant, "ftjob-1",
                "metrics.csv"), 120, "ab", "text/csv");
        var event = new FineTuneEvent(UUID.randomUUID(), FineTuneEvent.SUCCEEDED, "ftjob-1", tenant, "info", "done",
                null, null, null, null, new FineTuneEvent.Result("k", 10, "cd", List.of("a", "b"), 40, 3,
                        Map.of("valid_loss", 0.5), List.of(file)), null, "w1", Instant.parse("2026-01-01T00:00:00Z"));

        String text = json.writeValueAsString(event);

        assertThat(text).contains("\"result_files\":[{\"name\":\"metrics.csv\",\"blob_key\":\"tenants/" + tenant
                + "/fine-tuning/ftjob-1/results/metrics.csv\",\"bytes\":120,\"sha256\":\"ab\","
                + "\"content_type\":\"text/csv\"}]");
        assertThat(json.readValue(text, FineTuneEvent.class)).isEqualTo(event);
    }

    @Test
    void aResultOfAWorkerThatWroteNoResultFilesReadsWithNone() throws Exception {
        String old = "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"succeeded\",\"job_id\":\"ftjob-1\","
                + "\"tenant_id\":\"" + UUID.randomUUID() + "\",\"message\":\"done\",\"result\":{\"blob_key\":\"k\","
                + "\"bytes\":10,\"sha256\":\"cd\",\"labels\":[\"a\",\"b\"],\"trained_examples\":40,\"epochs\":3,"
                + "\"metrics\":{\"valid_loss\":0.5}}}";

        var result = json.readValue(old, FineTuneEvent.class).result();

        assertThat(result.resultFiles()).isNull();
        assertThat(result.epochs()).isEqualTo(3);
        assertThat(json.writeValueAsString(new FineTuneEvent.Result("k", 10, "cd", List.of(), 0, 1, Map.of())))
                .doesNotContain("result_files");
    }

    @Test
    void aResultFileKeyStaysInTheJobsResultsFolder() {
        UUID tenant = UUID.randomUUID();
        assertThat(FineTuneBlobs.resultFile(tenant, "ftjob-1", "evaluation.json"))
                .isEqualTo("tenants/" + tenant + "/fine-tuning/ftjob-1/results/evaluation.json");
        for (String bad : new String[] {"../model.onnx", "a/b.csv", "metrics", ".csv", "x.csv/.."}) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> FineTuneBlobs.resultFile(tenant, "ftjob-1", bad));
        }
    }
}
