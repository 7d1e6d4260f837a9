package dev.meridian.common.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meridian.common.pii.PiiMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The job message's PII mode on the wire: carried when asked for, absent (none) in messages written before it. */
class FineTuneJobMessageTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static FineTuneJobMessage message(String pii) {
        UUID tenant = UUID.fromString("00000000-0000-0000-0000-000000000001");
        return new FineTuneJobMessage(UUID.fromString("00000000-0000-0000-0000-000000000002"), "ftjob-1", tenant,
                "eu-central", "all-minilm-l6-v2", new FineTuneJobMessage.DatasetRef("file-1",
                        FineTuneBlobs.file(tenant, "file-1"), 10, "ab", 20), null,
                new FineTuneJobMessage.Hyperparameters(3, 8, 1.0), 42, List.of("a", "b"),
                "ft:all-minilm-l6-v2::ftjob-1", Instant.parse("2026-01-01T00:00:00Z"), pii);
    }

    @Test
    void aRedactingJobCarriesItsModeAndReadsBackTheSame() throws Exception {
        var message = message(PiiMode.REDACT.wireName());

        String text = json.writeValueAsString(message);

        assertThat(text).contains("\"pii\":\"redact\"");
        assertThat(json.readValue(text, FineTuneJobMessage.class)).isEqualTo(message);
    }

    @Test
    void aMessageWrittenBeforeTheFieldExistedReadsAsNone() throws Exception {
        String old = json.writeValueAsString(message(null));
        assertThat(old).doesNotContain("pii");

        var read = json.readValue(old, FineTuneJobMessage.class);

        assertThat(read.pii()).isNull();
        assertThat(PiiMode.of(read.pii())).contains(PiiMode.NONE);
    }

    @Test
    void onlyTheKnownModesAreRead() {
        assertThat(PiiMode.of("none")).contains(PiiMode.NONE);
        assertThat(PiiMode.of("redact")).contains(PiiMode.REDACT);
        assertThat(PiiMode.of("REDACT")).isEmpty();
        assertThat(PiiMode.of("mask")).isEmpty();
    }
}
