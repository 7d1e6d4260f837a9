package dev.meridian.console.web;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The lines a dataset refusal names ({@code "... (line 2: not JSON; line 3: missing field `label`). Write ..."}), one
 * item each, so the page can list them under the form; the whole refusal is shown above the list.
 */
final class DatasetProblems {

    private static final Pattern LINE = Pattern.compile("line \\d+: ");

    private DatasetProblems() {
    }

    static List<String> of(String refusal) {
        if (refusal == null) {
            return List.of();
        }
        var starts = new ArrayList<Integer>();
        var m = LINE.matcher(refusal);
        while (m.find()) {
            starts.add(m.start());
        }
        var items = new ArrayList<String>();
        for (int i = 0; i < starts.size(); i++) {
            boolean last = i == starts.size() - 1;
            String item = refusal.substring(starts.get(i), last ? refusal.length() : starts.get(i + 1));
            if (last && item.lastIndexOf("). ") > 0) {
                item = item.substring(0, item.lastIndexOf("). "));
            }
            items.add(item.replaceAll("[;\\s]+$", ""));
        }
        return items;
    }
}
