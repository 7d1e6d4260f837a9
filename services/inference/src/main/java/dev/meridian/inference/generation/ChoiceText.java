package dev.meridian.inference.generation;

import java.util.Arrays;
import java.util.List;

/**
 * Turns one choice's tokens into text as they come: decodes a short window of ids and emits what it adds (the way
 * vLLM and TGI detokenize incrementally, so that tokenizers that put a space before a word or split a character over
 * several tokens come out right), holds back text that ends in an incomplete character or that may be the start of
 * a stop sequence, and cuts the text just before a stop sequence once one appears.
 */
public final class ChoiceText {

    /** Prompt tokens decoded with the first generated ones, so that the first word gets its leading space. */
    private static final int PROMPT_CONTEXT = 4;
    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final List<String> stops;
    private long[] ids;
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder text = new StringBuilder();
    private boolean stopped;

    public ChoiceText(TextTokenizer tokenizer, long[] prompt, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stops);
        int from = Math.max(0, prompt.length - PROMPT_CONTEXT);
        this.ids = Arrays.copyOfRange(prompt, from, Math.max(prompt.length, from + 16));
        this.size = prompt.length - from;
        this.prefixOffset = 0;
        this.readOffset = size;
    }

    /** Adds a generated token; answers the text that may be shown now (often empty). */
    public String add(int token) {
        if (stopped) {
            return "";
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[size++] = token;
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
        if (after.length() <= before.length() || after.charAt(after.length() - 1) == REPLACEMENT) {
            return ""; // not a whole character yet: wait for the next token
        }
        pending.append(after, before.length(), after.length());
        prefixOffset = readOffset;
        readOffset = size;
        return release(false);
    }

    /** The sequence ended: the text held back while it might have begun a stop sequence. */
    public String flush() {
        return stopped ? "" : release(true);
    }

    /** Whether a stop sequence ended the text. */
    public boolean stopped() {
        return stopped;
    }

    /** The whole text shown so far. */
    public String text() {
        return text.toString();
    }

    private String release(boolean all) {
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        int upTo;
        if (cut >= 0) {
            stopped = true;
            upTo = cut;
        } else if (all) {
            upTo = pending.length();
        } else {
            upTo = pending.length() - heldBack();
        }
        String out = pending.substring(0, upTo);
        pending.delete(0, cut >= 0 ? pending.length() : upTo);
        text.append(out);
        return out;
    }

    /** The longest end of the pending text that is the beginning of a stop sequence. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, pending.length()); k > held; k--) {
                if (pending.toString().regionMatches(pending.length() - k, stop, 0, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }
}
