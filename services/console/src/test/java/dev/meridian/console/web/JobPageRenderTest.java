package dev.meridian.console.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.console.api.MeridianApi.Tenant;
import dev.meridian.console.api.OpenAiApi.Job;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * A succeeded job's page shows its evaluation report, read from the report as the API serves it (docs/api.md,
 * "Result files"): the figures, a row per label and the gap between the groups.
 */
@QuarkusTest
@TestProfile(PartnerPagesRenderTest.WithoutSignIn.class)
class JobPageRenderTest {

    static final UUID TENANT = UUID.fromString("7d0c5a8e-0000-4000-8000-0000000000c3");
    static final String REPORT = """
            {"object": "fine_tuning.job.evaluation", "job_id": "ftjob-1", "evaluated_on": "held_out_split",
             "labels": ["billing", "bug"], "best_epoch": 2, "epochs_run": 5, "stopped_early": true,
             "metrics": {"examples": 1240, "accuracy": 0.925,
               "per_class": [
                 {"label": "billing", "precision": 0.95, "recall": 0.9048, "f1": 0.9268, "support": 21, "predicted": 20},
                 {"label": "bug", "precision": 0, "recall": 0, "f1": 0, "support": 19, "predicted": 0}],
               "macro_avg": {"precision": 0.925, "recall": 0.9261, "f1": 0.4634, "labels": 2},
               "calibration": {"expected_calibration_error": 0.0412, "bins": 10, "reliability": []}},
             "groups": {"slices": [], "ungrouped": 0,
               "accuracy_gap": {"best": "web", "best_value": 0.95, "worst": "email", "worst_value": 0.8, "gap": 0.15},
               "macro_f1_gap": {"best": "web", "best_value": 0.949, "worst": "email", "worst_value": 0.79,
                                "gap": 0.159}}}
            """;

    private static Document render(JobEvaluation evaluation, String lang) {
        var tenant = new Tenant(TENANT, "Acme", "eu-central", "payg", "active", "developer",
                List.of("fine-tune", "inference"), Instant.parse("2026-11-01T00:00:00Z"));
        var job = new Job("ftjob-1", "all-minilm-l6-v2", Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-12-01T10:05:00Z"), "ft:all-minilm-l6-v2:t:ftjob-1", "succeeded", "file-t", null,
                Map.of("n_epochs", 5), 100L, null, "t", 7L, List.of("file-m", "file-r"));
        RenderedPage.next = () -> FineTuningPages.Templates.job(tenant, job, List.of(), "{}", List.of(), evaluation,
                null, null, null, null);
        return Jsoup.parse(given().queryParam("lang", lang).get("/test/rendered").then().statusCode(200).extract()
                .asString());
    }

    @Test
    void aSucceededJobsPageShowsItsPerLabelMetricsAndTheGapBetweenGroups() throws Exception {
        var evaluation = JobEvaluation.of(new ObjectMapper().readTree(REPORT)).orElseThrow();

        Document page = render(evaluation, "en");

        assertThat(page.select("#job-evaluation h2").text()).isEqualTo("Evaluation of the tuned model");
        assertThat(page.select("#evaluated-on").text())
                .isEqualTo("examples held out of the training file (stratified by label)");
        assertThat(page.select("#evaluation-accuracy").text()).isEqualTo("0.925");
        assertThat(page.select("#job-evaluation dl").text()).contains("1,240").contains("0.041")
                .contains("file-m").contains("file-r");
        assertThat(page.select("#evaluation-labels tbody tr")).extracting(r -> r.text()).containsExactly(
                "billing 0.950 0.905 0.927 21", "bug 0.000 0.000 0.000 19");
        assertThat(page.select("#evaluation-gaps tbody tr")).extracting(r -> r.text()).containsExactly(
                "Accuracy web (0.950) email (0.800) 0.150", "Macro F1 web (0.949) email (0.790) 0.159");

        Document zh = render(evaluation, "zh");
        assertThat(zh.select("#job-evaluation h2").text()).isEqualTo("微调模型的评估");
        assertThat(zh.select("#evaluation-gaps tbody tr").first().text()).startsWith("准确率 web");
    }

    @Test
    void withoutGroupsThereIsNoGapTableAndWithoutAReportNoEvaluation() throws Exception {
        var report = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(REPORT);
        report.remove("groups");
        report.put("evaluated_on", "validation_file");

        Document page = render(JobEvaluation.of(report).orElseThrow(), "en");

        assertThat(page.select("#evaluated-on").text()).isEqualTo("the validation file");
        assertThat(page.select("#evaluation-labels tbody tr")).hasSize(2);
        assertThat(page.select("#evaluation-gaps")).isEmpty();
        assertThat(render(null, "en").select("#job-evaluation")).isEmpty();
        assertThat(JobEvaluation.of(new ObjectMapper().readTree("{\"epoch\": 1}"))).isEmpty();
    }
}
