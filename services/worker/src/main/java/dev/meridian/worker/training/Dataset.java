package dev.meridian.worker.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

    /** Whether any example names its group. */
    public boolean grouped() {
        return groups.stream().anyMatch(java.util.Objects::nonNull);
    }

    public int size() {
        return texts.size();
    }
}
