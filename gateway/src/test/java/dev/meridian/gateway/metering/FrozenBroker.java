package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

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
        var broker = new FrozenBroker(brokerPid());
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

    /** The child JVM running kafka.Kafka whose server.properties listen on the test stack's bootstrap address. */
    private static long brokerPid() {
        String listener = "PLAINTEXT://" + TestStack.get().kafkaBootstrap() + ",";
        return ProcessHandle.current().descendants().filter(p -> {
            String[] args = p.info().arguments().orElse(new String[0]);
            if (!Arrays.asList(args).contains("kafka.Kafka")) {
                return false;
            }
            Path config = Path.of(args[args.length - 1]);
            try {
                return Files.isRegularFile(config) && Files.readString(config).contains(listener);
            } catch (IOException e) {
                return false;
            }
        }).map(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new AssertionError("no child Kafka broker listening on " + listener));
    }
}
