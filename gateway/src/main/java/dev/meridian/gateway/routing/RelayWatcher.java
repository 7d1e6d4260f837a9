package dev.meridian.gateway.routing;

import io.vertx.core.buffer.Buffer;

/** Sees an answer's body as {@link Forwarder} relays it to the client, and how the relay ended. */
public interface RelayWatcher {

    /** Watches nothing. */
    RelayWatcher NONE = new RelayWatcher() {
        @Override
        public void chunk(Buffer chunk) {
        }

        @Override
        public void ended(boolean complete) {
        }
    };

    /** The next chunk, before it is written to the client. */
    void chunk(Buffer chunk);

    /**
     * Called once, when the relay is over: {@code complete} when the whole answer was relayed, false when the client
     * left or the upstream broke off before its end.
     */
    void ended(boolean complete);
}
