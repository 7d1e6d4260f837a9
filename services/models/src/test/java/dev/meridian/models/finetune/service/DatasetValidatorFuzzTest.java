package dev.meridian.models.finetune.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meridian.common.error.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The JSONL dataset checks under Jazzer: whatever bytes a tenant uploads, the upload check either counts the lines
 * or refuses the file with its 400, and the job-time validator answers a report within its bounds (at most
 * {@link DatasetValidator#MAX_PROBLEMS} problems kept, all counted, at most {@code maxLabels} labels); nothing else may
 * escape, since anything else is a 500 or a memory bomb. Seeds (and found crashes, kept as regression inputs) are in
 * {@code src/test/resources/dev/meridian/models/finetune/service/DatasetValidatorFuzzTestInputs/}.
 */
class DatasetValidatorFuzzTest {

    private static final int MAX_LINE_BYTES = 256;
    private final DatasetValidator validator = new DatasetValidator(new DatasetValidator.Rules(2, 1, 5, 64,
            MAX_LINE_BYTES));

    @FuzzTest(maxDuration = "10s")
    void anyBytesGetABoundedReportOrTheUploads400(byte[] data) throws IOException {
        try {
            int lines = FileService.jsonObjectLines(new ByteArrayInputStream(data), "f.jsonl", MAX_LINE_BYTES);
            assertThat(lines).isBetween(0, data.length);
        } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.getMessage()).contains("line ");
        }

        var training = validator.training(new ByteArrayInputStream(data));
        assertBounded(training);
        var validation = validator.validation(new ByteArrayInputStream(data), List.of("a", "b"));
        assertBounded(validation);
        assertThat(validation.labelCounts().keySet()).isSubsetOf("a", "b");
    }

    private static void assertBounded(DatasetValidator.Report report) {
        assertThat(report.problems()).hasSizeLessThanOrEqualTo(DatasetValidator.MAX_PROBLEMS);
        assertThat(report.problemCount()).isGreaterThanOrEqualTo(report.problems().size());
        assertThat(report.valid()).isEqualTo(report.problemCount() == 0);
        assertThat(report.labelCounts()).hasSizeLessThanOrEqualTo(5);
        assertThat(report.labelCounts().values().stream().mapToInt(Integer::intValue).sum())
                .isLessThanOrEqualTo(report.examples());
        for (var p : report.problems()) {
            assertThat(p.reason()).isNotBlank();
            assertThat(p.line() == null || p.line() >= 1).isTrue();
        }
    }
}
