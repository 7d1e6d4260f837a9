package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a whole classification dataset (JSONL lines {@code {"text": "...", "label": "..."}}) and reports every bad
 * line with its number and why, plus what is wrong with the file as a whole (too few lines, labels with too few
 * examples). Nothing is queued unless this finds no problem.
 */
public final class DatasetValidator {

    /** One problem: the 1-based line, or {@code null} when it is about the whole file. */
    public record Problem(Integer line, String reason) {
        @Override
        public String toString() {
            return line == null ? reason : "line " + line + ": " + reason;
        }
    }

    /** What a dataset holds: examples per label (sorted by label) and the problems found. */
    public record Report(int examples, Map<String, Integer> labelCounts, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }

        public List<String> labels() {
            return List.copyOf(labelCounts.keySet());
        }
    }

    public record Rules(int minExamples, int minExamplesPerLabel, int maxLabels, int maxTextChars) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Rules rules;

    public DatasetValidator(Rules rules) {
        this.rules = rules;
    }

    /** Validates a training file: its labels become the head's outputs. */
    public Report training(InputStream in) throws IOException {
        return read(in, null);
    }

    /** Validates a validation file against the labels of its training file; it needs no minimum per label. */
    public Report validation(InputStream in, Collection<String> trainingLabels) throws IOException {
        return read(in, trainingLabels);
    }

    private Report read(InputStream in, Collection<String> trainingLabels) throws IOException {
        boolean isTraining = trainingLabels == null;
        List<Problem> problems = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> firstLineOfLabel = new HashMap<>();
        Map<String, Integer> firstLineOfText = new HashMap<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int examples = 0;
        int lineNo = 0;
        try (var reader = new BufferedReader(new InputStreamReader(in, decoder))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                String problem;
                if (line.isBlank()) {
                    problem = "empty line; every line must be one JSON object {\"text\": ..., \"label\": ...}";
                } else {
                    problem = example(line, lineNo, counts, firstLineOfLabel, firstLineOfText, trainingLabels);
                }
                if (problem == null) {
                    examples++;
                } else {
                    problems.add(new Problem(lineNo, problem));
                }
            }
        } catch (CharacterCodingException e) {
            problems.add(new Problem(lineNo + 1, "not UTF-8 text; save the file as UTF-8"));
            return new Report(examples, counts, problems);
        }
        int minExamples = isTraining ? rules.minExamples() : 1;
        if (examples < minExamples) {
            problems.add(new Problem(null, "the file has " + examples + " valid example" + (examples == 1 ? "" : "s")
                    + "; it needs at least " + minExamples));
        }
        if (isTraining) {
            if (counts.size() == 1) {
                problems.add(new Problem(null, "every example has the label `" + counts.keySet().iterator().next()
                        + "`; a classifier needs at least 2 labels"));
            }
            if (counts.size() > rules.maxLabels()) {
                problems.add(new Problem(null, "the file has " + counts.size() + " labels; at most "
                        + rules.maxLabels() + " are supported"));
            }
            counts.forEach((label, n) -> {
                if (n < rules.minExamplesPerLabel()) {
                    problems.add(new Problem(firstLineOfLabel.get(label), "label `" + label + "` has only " + n
                            + " example" + (n == 1 ? "" : "s") + "; each label needs at least "
                            + rules.minExamplesPerLabel() + " (add examples or merge the label into another)"));
                }
            });
        }
        return new Report(examples, counts, problems);
    }

    /** The problem with one line, or {@code null} when it is a good example (then it is counted). */
    private String example(String line, int lineNo, Map<String, Integer> counts, Map<String, Integer> firstLineOfLabel,
            Map<String, Integer> firstLineOfText, Collection<String> trainingLabels) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return "not valid JSON (" + e.getOriginalMessage() + ")";
        }
        if (node == null || !node.isObject()) {
            return "not a JSON object; every line must be {\"text\": ..., \"label\": ...}";
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("text") && !f.equals("label")) {
                return "unknown field `" + f + "`; a line has only `text` and `label`";
            }
        }
        String text = string(node, "text");
        if (text == null) {
            return node.has("text") ? "`text` must be a string" : "missing field `text`";
        }
        String label = string(node, "label");
        if (label == null) {
            return node.has("label") ? "`label` must be a string" : "missing field `label`";
        }
        if (text.isBlank()) {
            return "`text` is empty";
        }
        if (label.isBlank()) {
            return "`label` is empty";
        }
        if (text.length() > rules.maxTextChars()) {
            return "`text` has " + text.length() + " characters; at most " + rules.maxTextChars() + " are allowed";
        }
        if (trainingLabels != null && !trainingLabels.contains(label)) {
            return "label `" + label + "` does not occur in the training file";
        }
        Integer earlier = firstLineOfText.putIfAbsent(text, lineNo);
        if (earlier != null) {
            return "duplicate of line " + earlier + " (same `text`); remove one of them";
        }
        counts.merge(label, 1, Integer::sum);
        firstLineOfLabel.putIfAbsent(label, lineNo);
        return null;
    }

    private static String string(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** The problems as one message for {@code error.message}: the first {@code max}, then how many more. */
    public static String summary(String param, String fileId, List<Problem> problems, int max) {
        var sb = new StringBuilder("`").append(param).append("` ").append(fileId).append(" is not a valid dataset ("
                + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "): ");
        for (int i = 0; i < Math.min(max, problems.size()); i++) {
            sb.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (problems.size() > max) {
            sb.append("; and ").append(problems.size() - max).append(" more (see the job's events)");
        }
        return sb.append(". Each line must be {\"text\": \"...\", \"label\": \"...\"}.").toString();
    }
}
