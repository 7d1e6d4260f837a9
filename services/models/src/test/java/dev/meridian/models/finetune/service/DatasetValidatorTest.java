package dev.meridian.models.finetune.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetValidatorTest {

    private final DatasetValidator validator = new DatasetValidator(new DatasetValidator.Rules(4, 2, 10, 100, 200));

    private DatasetValidator.Report training(String... lines) throws IOException {
        return validator.training(new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void goodFileCountsExamplesPerLabel() throws IOException {
        var r = training("{\"text\":\"a\",\"label\":\"x\"}", "{\"text\":\"b\",\"label\":\"x\"}",
                "{\"text\":\"c\",\"label\":\"y\"}", "{\"text\":\"d\",\"label\":\"y\"}");
        assertThat(r.valid()).isTrue();
        assertThat(r.examples()).isEqualTo(4);
        assertThat(r.labels()).containsExactly("x", "y");
    }

    @Test
    void everyBadLineIsReportedWithItsNumberAndReason() throws IOException {
        var r = training(
                "{\"text\":\"a\",\"label\":\"x\"}",
                "not json",
                "{\"label\":\"x\"}",
                "{\"text\":\"   \",\"label\":\"x\"}",
                "{\"text\":\"a\",\"label\":\"x\"}",
                "{\"text\":\"b\",\"label\":\"x\",\"weight\":2}",
                "",
                "{\"text\":\"c\",\"label\":\"y\"}",
                "{\"text\":\"d\",\"label\":\"x\"}",
                "[1,2]",
                "{\"text\":\"e\",\"label\":7}");
        assertThat(r.problems()).extracting(DatasetValidator.Problem::line)
                .containsExactly(2, 3, 4, 5, 6, 7, 10, 11, null, 8);
        assertThat(r.problems().get(0).reason()).startsWith("not valid JSON");
        assertThat(r.problems().get(1).reason()).isEqualTo("missing field `text`");
        assertThat(r.problems().get(2).reason()).isEqualTo("`text` is empty");
        assertThat(r.problems().get(3).reason()).contains("duplicate of line 1");
        assertThat(r.problems().get(4).reason()).contains("unknown field `weight`");
        assertThat(r.problems().get(5).reason()).startsWith("empty line");
        assertThat(r.problems().get(6).reason()).startsWith("not a JSON object");
        assertThat(r.problems().get(7).reason()).isEqualTo("`label` must be a string");
        assertThat(r.problems().get(8).reason()).isEqualTo("the file has 3 valid examples; it needs at least 4");
        assertThat(r.problems().get(9).reason()).contains("label `y` has only 1 example");
    }

    @Test
    void aLineMayNameItsGroupAsANonEmptyString() throws IOException {
        var r = training("{\"text\":\"a\",\"label\":\"x\",\"group\":\"en\"}", "{\"text\":\"b\",\"label\":\"x\"}",
                "{\"text\":\"c\",\"label\":\"y\",\"group\":\"de\"}", "{\"text\":\"d\",\"label\":\"y\",\"group\":3}",
                "{\"text\":\"e\",\"label\":\"y\",\"group\":\" \"}",
                "{\"text\":\"f\",\"label\":\"y\",\"group\":\"" + "g".repeat(101) + "\"}",
                "{\"text\":\"g\",\"label\":\"y\"}");
        assertThat(r.problems()).extracting(DatasetValidator.Problem::toString).containsExactly(
                "line 4: `group` must be a non-empty string (or leave it out)",
                "line 5: `group` must be a non-empty string (or leave it out)",
                "line 6: `group` has 101 characters; at most 100 are allowed");
        assertThat(r.examples()).isEqualTo(4);
    }

    @Test
    void tooFewLinesAndOneLabelAreFileLevelProblems() throws IOException {
        var r = training("{\"text\":\"a\",\"label\":\"x\"}", "{\"text\":\"b\",\"label\":\"x\"}");
        assertThat(r.problems()).extracting(DatasetValidator.Problem::toString).containsExactly(
                "the file has 2 valid examples; it needs at least 4",
                "every example has the label `x`; a classifier needs at least 2 labels");
    }

    @Test
    void validationFileLabelsMustOccurInTrainingFile() throws IOException {
        var r = validator.validation(new ByteArrayInputStream("{\"text\":\"a\",\"label\":\"z\"}"
                .getBytes(StandardCharsets.UTF_8)), List.of("x", "y"));
        assertThat(r.problems()).extracting(DatasetValidator.Problem::toString)
                .contains("line 1: label `z` does not occur in the training file");
    }

    @Test
    void summaryNamesTheFirstProblemsAndCountsTheRest() {
        var problems = List.of(new DatasetValidator.Problem(2, "p"), new DatasetValidator.Problem(3, "q"),
                new DatasetValidator.Problem(null, "r"));
        assertThat(DatasetValidator.summary("training_file", "file-1", problems, 3, 2))
                .startsWith("`training_file` file-1 is not a valid dataset (3 problems): line 2: p; line 3: q; and 1"
                        + " more");
    }

    @Test
    void autoHyperparametersFollowDatasetSize() {
        var auto = new Hyperparameters(null, null, null);
        assertThat(auto.resolve(100)).isEqualTo(new Hyperparameters(25, 8, 1.0));
        assertThat(auto.resolve(1000)).isEqualTo(new Hyperparameters(3, 16, 1.0));
        assertThat(new Hyperparameters(7, null, 0.5).resolve(5000)).isEqualTo(new Hyperparameters(7, 64, 0.5));
    }

    @Test
    void aMillionBadLinesKeepTwentyProblemsAndCountTheRest() throws IOException {
        // 2 MB of "1\n": before, one Problem per line (the 100 MB file made ~50 million)
        byte[] ones = "1\n".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII);
        var r = validator.training(new ByteArrayInputStream(ones));
        assertThat(r.valid()).isFalse();
        assertThat(r.problemCount()).isEqualTo(1_000_001); // every line, and the file has no example
        assertThat(r.problems()).hasSize(DatasetValidator.MAX_PROBLEMS);
        assertThat(r.problems().getFirst()).hasToString("line 1: not a JSON object; every line must be {\"text\":"
                + " ..., \"label\": ...}");
        assertThat(DatasetValidator.summary("training_file", "file-1", r.problems(), r.problemCount(), 20))
                .contains("(1000001 problems)").contains("and 999981 more");
    }

    @Test
    void aLineOverTheLimitIsAProblemNamingItsLineAndIsNeverHeldWhole() throws IOException {
        String longLine = "{\"text\":\"" + "x".repeat(5_000_000) + "\",\"label\":\"x\"}";
        var r = training("{\"text\":\"a\",\"label\":\"x\"}", longLine, "{\"text\":\"b\",\"label\":\"x\"}");
        assertThat(r.problems()).extracting(DatasetValidator.Problem::toString)
                .contains("line 2: the line has more than 200 bytes, the limit for one line; shorten its text");
        assertThat(r.examples()).isEqualTo(2);
    }

    @Test
    void labelsBeyondTheLimitAreAFileProblemWithoutTrackingEachLabel() throws IOException {
        var lines = new java.util.ArrayList<String>();
        for (int i = 0; i < 50; i++) {
            lines.add("{\"text\":\"t" + i + "\",\"label\":\"l" + i + "\"}");
        }
        var r = training(lines.toArray(String[]::new));
        assertThat(r.labelCounts()).hasSize(10);
        assertThat(r.problems()).extracting(DatasetValidator.Problem::reason)
                .contains("the file has more than 10 labels; at most 10 are supported");
    }
}
