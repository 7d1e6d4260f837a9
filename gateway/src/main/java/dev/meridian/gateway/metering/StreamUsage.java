package dev.meridian.gateway.metering;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The latest usage a streamed (server-sent events) answer reported: the inference service writes an SSE comment
 * {@code : usage requests=1,prompt_tokens=N,completion_tokens=M} (cumulative totals) after every event that carried
 * generated tokens. This reads the relayed bytes line by line as they pass, across chunk boundaries, without parsing
 * events or buffering more than one usage line; SSE clients ignore comments, so the bytes go on unchanged.
 * <p>
 * Written by hand: Vert.x's {@code RecordParser} would split the stream into lines, but it takes over the stream's
 * handler and copies every line, while this only looks at each byte once and keeps none but the usage line's.
 * Not thread-safe: one relay feeds it, from one event loop.
 */
public final class StreamUsage {

    private static final byte[] PREFIX = ": usage ".getBytes(StandardCharsets.US_ASCII);
    /** A usage line longer than this is not the contract's: it is ignored rather than held. */
    static final int MAX_LINE = 512;

    private enum State { MATCHING, CAPTURING, SKIPPING }

    private final String fromHeader;
    private State state = State.MATCHING;
    private int matched;
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private String latest;

    /** {@code fromHeader}: the answer's {@code X-Meridian-Usage}, what is metered when no comment arrives. */
    public StreamUsage(String fromHeader) {
        this.fromHeader = fromHeader;
    }

    /** Reads the next relayed bytes. */
    public void accept(Buffer chunk) {
        int n = chunk.length();
        for (int i = 0; i < n; i++) {
            byte b = chunk.getByte(i);
            if (b == '\n' || b == '\r') { // SSE ends lines with LF, CR or CRLF
                if (state == State.CAPTURING) {
                    latest = new String(line, 0, length, StandardCharsets.US_ASCII).strip();
                }
                state = State.MATCHING;
                matched = 0;
                length = 0;
                continue;
            }
            switch (state) {
                case MATCHING -> {
                    if (b == PREFIX[matched]) {
                        if (++matched == PREFIX.length) {
                            state = State.CAPTURING;
                        }
                    } else {
                        state = State.SKIPPING;
                    }
                }
                case CAPTURING -> {
                    if (length < MAX_LINE) {
                        line[length++] = b;
                    } else {
                        state = State.SKIPPING;
                    }
                }
                case SKIPPING -> {
                }
            }
        }
    }

    /**
     * What to meter: the last complete usage comment seen, else the header's usage. A usage line cut off by the end of
     * the stream is not counted: its totals may be cut off too.
     */
    public String usage() {
        return latest != null ? latest : fromHeader;
    }
}
