package dev.meridian.models.finetune.service;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a JSONL stream one line at a time, holding at most one line of at most {@code maxLineBytes} bytes: a longer
 * line is skipped to its end (its bytes are never kept) and returned as a problem, as is a line that is not UTF-8. A
 * dataset of any size is thus read in bounded memory, and no line can make a reader build a string of the whole file.
 */
public final class JsonlReader implements AutoCloseable {

    /** One line: its 1-based number and text, or why it has no text ({@code problem}). */
    public record Line(int number, String text, String problem) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buffer = new byte[8192];
    private int number;

    public JsonlReader(InputStream in, int maxLineBytes) {
        this.in = new BufferedInputStream(in, 65536);
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or {@code null} at the end (a final newline does not start another line). */
    public Line next() throws IOException {
        int length = 0;
        long skipped = 0;
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (skipped > 0 || length == maxLineBytes) {
                skipped++;
                continue;
            }
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(maxLineBytes, buffer.length * 2));
            }
            buffer[length++] = (byte) b;
        }
        if (!any) {
            return null;
        }
        number++;
        if (skipped > 0) {
            return new Line(number, null, "the line has more than " + maxLineBytes + " bytes, the limit for one"
                    + " line; shorten its text");
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        try {
            return new Line(number, decoder.reset().decode(ByteBuffer.wrap(buffer, 0, length)).toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(number, null, "not UTF-8 text; save the file as UTF-8");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
