package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.TestStack;

/**
 * A real Kafka outage: the broker process this test JVM started is frozen with SIGSTOP (it keeps its sockets, so
 * clients see a broker that never answers, the worst case) and thawed with SIGCONT.
 */
final class FrozenBroker implements AutoCloseable {

    private final long pid;

    private FrozenBroker(long pid) {
        this.pid = pid;
    }

    static FrozenBroker freeze() throws Exception {
        var broker = new FrozenBroker(TestStack.get().kafkaPid());
        broker.signal("STOP");
        return broker;
    }

    @Override
    public void close() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        assertThat(rc).as("kill -%s %d", name, pid).isZero();
    }
}
