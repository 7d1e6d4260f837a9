package dev.meridian.models.finetune.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a classification dataset (JSONL lines {@code {"text": "...", "label": "..."}}, optionally with a
 * {@code "group": "..."}) as a stream and reports its bad
 * lines with their numbers and why, plus what is wrong with the file as a whole (too few lines, labels with too few
 * examples). Nothing is queued unless this finds no problem. Memory stays bounded whatever the file holds: one line
 * at a time (at most {@link Rules#maxLineBytes}), the first {@link #MAX_PROBLEMS} problems kept and the others only
 * counted, texts remembered by a 128-bit digest (for duplicates), at most {@link Rules#maxLabels} labels tracked.
 */
public final class DatasetValidator {

    /** One problem: the 1-based line, or {@code null} when it is about the whole file. */
    public record Problem(Integer line, String reason) {
        @Override
        public String toString() {
            return line == null ? reason : "line " + line + ": " + reason;
        }
    }

    /**
     * The longest {@code group} (an optional field naming the slice of the data a line belongs to, by which the
     * job's evaluation report breaks its metrics down).
     */
    public static final int MAX_GROUP_CHARS = 100;

    /** Problems a report keeps; the others are only counted. */
    public static final int MAX_PROBLEMS = 20;

    /**
     * What a dataset holds: examples per label (sorted by label), the first {@link #MAX_PROBLEMS} problems found and
     * how many there are in all.
     */
    public record Report(int examples, Map<String, Integer> labelCounts, List<Problem> problems, long problemCount) {
        public boolean valid() {
            return problemCount == 0;
        }

        public List<String> labels() {
            return List.copyOf(labelCounts.keySet());
        }
    }

    /** {@code maxLineBytes}: the longest line read, in bytes; a longer one is a problem of its own. */
    public record Rules(int minExamples, int minExamplesPerLabel, int maxLabels, int maxTextChars, int maxLineBytes) {
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

    /** The problems of one file: the first {@link #MAX_PROBLEMS} in order, and how many in all. */
    private static final class Problems {
        final List<Problem> kept = new ArrayList<>();
        long count;

        void add(Integer line, String reason) {
            count++;
            if (kept.size() < MAX_PROBLEMS) {
                kept.add(new Problem(line, reason));
            }
        }
    }

    /** A text as remembered for duplicate detection: 128 bits of its SHA-256, not the text. */
    private record TextDigest(long high, long low) {
    }

    private Report read(InputStream in, Collection<String> trainingLabels) throws IOException {
        boolean isTraining = trainingLabels == null;
        var problems = new Problems();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> firstLineOfLabel = new HashMap<>();
        Map<TextDigest, Integer> firstLineOfText = new HashMap<>();
        boolean tooManyLabels = false;
        int examples = 0;
        try (var reader = new JsonlReader(in, rules.maxLineBytes())) {
            for (JsonlReader.Line line; (line = reader.next()) != null; ) {
                String problem;
                if (line.problem() != null) {
                    problem = line.problem();
                } else if (line.text().isBlank()) {
                    problem = "empty line; every line must be one JSON object {\"text\": ..., \"label\": ...}";
                } else {
                    problem = example(line.text(), line.number(), counts, firstLineOfLabel, firstLineOfText,
                            trainingLabels);
                }
                if (problem == TOO_MANY_LABELS) {
                    tooManyLabels = true;
                    examples++;
                } else if (problem == null) {
                    examples++;
                } else {
                    problems.add(line.number(), problem);
                }
            }
        }
        int minExamples = isTraining ? rules.minExamples() : 1;
        if (examples < minExamples) {
            problems.add(null, "the file has " + examples + " valid example" + (examples == 1 ? "" : "s")
                    + "; it needs at least " + minExamples);
        }
        if (isTraining) {
            if (counts.size() == 1) {
                problems.add(null, "every example has the label `" + counts.keySet().iterator().next()
                        + "`; a classifier needs at least 2 labels");
            }
            if (tooManyLabels) {
                problems.add(null, "the file has more than " + rules.maxLabels() + " labels; at most "
                        + rules.maxLabels() + " are supported");
            }
            counts.forEach((label, n) -> {
                if (n < rules.minExamplesPerLabel()) {
                    problems.add(firstLineOfLabel.get(label), "label `" + label + "` has only " + n
                            + " example" + (n == 1 ? "" : "s") + "; each label needs at least "
                            + rules.minExamplesPerLabel() + " (add examples or merge the label into another)");
                }
            });
        }
        return new Report(examples, counts, List.copyOf(problems.kept), problems.count);
    }

    /** Returned for a good example with a label beyond {@link Rules#maxLabels}: not tracked, a file-level problem. */
    private static final String TOO_MANY_LABELS = new String("too many labels");

    /** The problem with one line, or {@code null} when it is a good example (then it is counted). */
    private String example(String line, int lineNo, Map<String, Integer> counts, Map<String, Integer> firstLineOfLabel,
            Map<TextDigest, Integer> firstLineOfText, Collection<String> trainingLabels) {
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
            if (!f.equals("text") && !f.equals("label") && !f.equals("group")) {
                return "unknown field `" + f + "`; a line has `text`, `label` and optionally `group`";
            }
        }
        if (node.has("group")) {
            String group = string(node, "group");
            if (group == null || group.isBlank()) {
                return "`group` must be a non-empty string (or leave it out)";
            }
            if (group.length() > MAX_GROUP_CHARS) {
                return "`group` has " + group.length() + " characters; at most " + MAX_GROUP_CHARS
                        + " are allowed";
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
        Integer earlier = firstLineOfText.putIfAbsent(digest(text), lineNo);
        if (earlier != null) {
            return "duplicate of line " + earlier + " (same `text`); remove one of them";
        }
        if (!counts.containsKey(label) && counts.size() >= rules.maxLabels()) {
            return TOO_MANY_LABELS;
        }
        counts.merge(label, 1, Integer::sum);
        firstLineOfLabel.putIfAbsent(label, lineNo);
        return null;
    }

    private static TextDigest digest(String text) {
        try {
            ByteBuffer d = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
            return new TextDigest(d.getLong(), d.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String string(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /**
     * The problems as one message for {@code error.message}: the first {@code max} of {@code problems}, then how many
     * more of the {@code total}.
     */
    public static String summary(String param, String fileId, List<Problem> problems, long total, int max) {
        var sb = new StringBuilder("`").append(param).append("` ").append(fileId).append(" is not a valid dataset ("
                + total + " problem" + (total == 1 ? "" : "s") + "): ");
        int shown = Math.min(max, problems.size());
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (total > shown) {
            sb.append("; and ").append(total - shown).append(" more");
        }
        return sb.append(". Each line must be {\"text\": \"...\", \"label\": \"...\"}.").toString();
    }
}
