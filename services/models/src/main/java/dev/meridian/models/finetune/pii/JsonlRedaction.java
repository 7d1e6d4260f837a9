package dev.meridian.models.finetune.pii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.meridian.common.pii.PiiKind;
import dev.meridian.common.pii.PiiRedactor;
import dev.meridian.models.finetune.service.JsonlReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a JSONL dataset with the personal data in its string values replaced ({@link PiiRedactor}); keys, numbers and
 * the line structure stay, so the copy is the same dataset without the values. The input must already be valid JSONL
 * (one object per line), as the upload checks first.
 */
public final class JsonlRedaction {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PiiRedactor redactor = new PiiRedactor();

    /** Copies {@code in} to {@code out} redacted; returns the values replaced per kind. */
    public Map<PiiKind, Integer> copy(InputStream in, OutputStream out, int maxLineBytes) throws IOException {
        Map<PiiKind, Integer> counts = new EnumMap<>(PiiKind.class);
        var writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        try (var reader = new JsonlReader(in, maxLineBytes)) {
            for (JsonlReader.Line line; (line = reader.next()) != null; ) {
                if (line.problem() != null) {
                    throw new IllegalArgumentException("line " + line.number() + ": " + line.problem());
                }
                JsonNode node = JSON.readTree(line.text());
                writer.write(JSON.writeValueAsString(redact(node, counts)));
                writer.write('\n');
            }
        }
        writer.flush();
        return counts;
    }

    private JsonNode redact(JsonNode node, Map<PiiKind, Integer> counts) {
        if (node.isTextual()) {
            var r = redactor.redact(node.textValue());
            r.counts().forEach((kind, n) -> counts.merge(kind, n, Integer::sum));
            return r.total() == 0 ? node : TextNode.valueOf(r.text());
        }
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                var field = it.next();
                field.setValue(redact(field.getValue(), counts));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, redact(array.get(i), counts));
            }
        }
        return node;
    }
}
