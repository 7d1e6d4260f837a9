package dev.meridian.console.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meridian.console.api.OpenAiApi.Tensor;
import dev.meridian.console.api.OpenAiApi.Version;
import java.util.Comparator;
import java.util.List;

/**
 * A first OIP v2 inference request for the try-it panel, made from the newest version's declared inputs: one row
 * (a variable dimension becomes 1) of the numbers 1, 2, 3, ... ({@code "text"} for strings, {@code true} for
 * booleans), so the user has something that runs and a shape to edit.
 */
final class OipSample {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OipSample() {
    }

    static String of(List<Version> versions) {
        return versions.stream().max(Comparator.comparingInt(Version::version)).map(v -> forInputs(v.inputs())).orElse("");
    }

    static String forInputs(List<Tensor> inputs) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode list = request.putArray("inputs");
        for (Tensor t : inputs == null ? List.<Tensor>of() : inputs) {
            ObjectNode input = list.addObject().put("name", t.name()).put("datatype", t.datatype());
            ArrayNode shape = input.putArray("shape");
            long count = 1;
            for (Long d : t.shape() == null ? List.<Long>of() : t.shape()) {
                long size = d == null || d < 1 ? 1 : d;
                shape.add(size);
                count *= size;
            }
            ArrayNode data = input.putArray("data");
            for (long i = 1; i <= Math.min(count, 1024); i++) {
                switch (t.datatype()) {
                    case "BYTES" -> data.add("text");
                    case "BOOL" -> data.add(true);
                    default -> data.add(i);
                }
            }
        }
        return request.toString();
    }
}
