package dev.meridian.worker.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.pii.PiiKind;
import dev.meridian.common.pii.PiiRedactor;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Examples of a validated JSONL file as texts and label indexes (in the order of the job's label list), with each
 * example's optional {@code group} (a slice of the data, e.g. a language or a customer segment; {@code null} where the
 * line has none), by which the evaluation report breaks its metrics down.
 */
public record Dataset(List<String> texts, int[] labels, List<String> groups) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Dataset parse(byte[] jsonl, List<String> labelNames) throws IOException {
        List<String> texts = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        try (var reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(jsonl),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                int y = labelNames.indexOf(node.path("label").asText());
                if (y < 0) {
                    throw new IllegalArgumentException("line " + n + " has a label the job does not know");
                }
                texts.add(node.path("text").asText());
                ys.add(y);
                JsonNode group = node.get("group");
                groups.add(group != null && group.isTextual() && !group.asText().isBlank() ? group.asText() : null);
            }
        }
        return new Dataset(List.copyOf(texts), ys.stream().mapToInt(Integer::intValue).toArray(),
                java.util.Collections.unmodifiableList(groups));
    }

    /**
     * This dataset with the personal data in its texts and group names replaced by placeholders (labels are the job's
     * own, checked by the models service); what was replaced is added to {@code counts}, by kind.
     */
    public Dataset redacted(PiiRedactor redactor, Map<PiiKind, Integer> counts) {
        List<String> texts = new ArrayList<>(this.texts.size());
        for (String text : this.texts) {
            texts.add(redact(redactor, text, counts));
        }
        List<String> groups = new ArrayList<>(this.groups.size());
        for (String group : this.groups) {
            groups.add(group == null ? null : redact(redactor, group, counts));
        }
        return new Dataset(List.copyOf(texts), labels, java.util.Collections.unmodifiableList(groups));
    }

    private static String redact(PiiRedactor redactor, String text, Map<PiiKind, Integer> counts) {
        var r = redactor.redact(text);
        r.counts().forEach((kind, n) -> counts.merge(kind, n, Integer::sum));
        return r.text();
    }

    /** Whether any example names its group. */
    public boolean grouped() {
        return groups.stream().anyMatch(java.util.Objects::nonNull);
    }

    public int size() {
        return texts.size();
    }
}
