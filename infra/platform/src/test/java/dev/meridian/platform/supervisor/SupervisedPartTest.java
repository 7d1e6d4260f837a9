package dev.meridian.platform.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisedPartTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2027-01-31T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    /** Holds scheduled tasks until the test runs them. */
    static final class ManualScheduler implements Scheduler {
        final Deque<Runnable> tasks = new ArrayDeque<>();
        final List<Duration> delays = new ArrayList<>();

        @Override
        public void schedule(Duration delay, Runnable task) {
            delays.add(delay);
            tasks.add(task);
        }

        void runNext() {
            tasks.removeFirst().run();
        }
    }

    /** Fake processes: each start gives the next pid; the test ends them with an exit code. */
    static final class FakeProcesses implements Supplier<Child> {
        final List<CompletableFuture<Integer>> exits = new ArrayList<>();
        final List<Long> stopped = new ArrayList<>();
        RuntimeException failNextStarts;
        int failures;

        @Override
        public Child get() {
            if (failures > 0) {
                failures--;
                throw failNextStarts;
            }
            long pid = 9_000_000 + exits.size(); // above Linux's largest pid: never a live process
            var exit = new CompletableFuture<Integer>();
            exits.add(exit);
            return Child.of(pid, exit, () -> {
                stopped.add(pid);
                exit.complete(143);
            });
        }

        void crashLatest(int code) {
            exits.getLast().complete(code);
        }
    }

    final TestClock clock = new TestClock();
    final ManualScheduler scheduler = new ManualScheduler();
    final FakeProcesses processes = new FakeProcesses();
    final List<String> console = new ArrayList<>();
    final Supervisor supervisor = new Supervisor(Backoff.DEFAULT, scheduler, clock, console::add, null);

    @Test
    void aPartThatExitsIsRestartedAfterTheBackoffAndTheConsoleSaysSo() {
        var billing = supervisor.add("billing", "http://localhost:8083", processes);
        billing.start();
        assertThat(billing.pid()).isEqualTo(9_000_000);

        processes.crashLatest(137);

        assertThat(console).containsExactly("billing exited with code 137; restarting in 1 s (attempt 1)");
        assertThat(billing.state()).isEqualTo(SupervisedPart.State.RESTARTING);
        assertThat(billing.pid()).isZero();
        assertThat(scheduler.delays).containsExactly(Duration.ofSeconds(1));

        scheduler.runNext();

        assertThat(billing.state()).isEqualTo(SupervisedPart.State.RUNNING);
        assertThat(billing.pid()).isEqualTo(9_000_001);
        assertThat(billing.restarts()).isEqualTo(1);
        assertThat(console).last().isEqualTo("billing is back (pid 9000001, restart 1)");
    }

    @Test
    void delaysDoubleUpToThirtySecondsWhileThePartKeepsCrashing() {
        var part = supervisor.add("models-eu-central", "http://localhost:8100", processes);
        part.start();
        for (int i = 0; i < 7; i++) {
            processes.crashLatest(1);
            scheduler.runNext();
        }
        assertThat(scheduler.delays).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
        assertThat(console).contains("models-eu-central exited with code 1; restarting in 16 s (attempt 5)");
        assertThat(part.restarts()).isEqualTo(7);
    }

    @Test
    void aPartThatStayedUpAMinuteStartsAgainFromTheShortestDelay() {
        var part = supervisor.add("worker-us-east", "-", processes);
        part.start();
        processes.crashLatest(1);
        scheduler.runNext();
        processes.crashLatest(1);
        scheduler.runNext();
        assertThat(scheduler.delays).extracting(Duration::toSeconds).containsExactly(1L, 2L);

        clock.advance(Duration.ofSeconds(61));
        processes.crashLatest(137);

        assertThat(scheduler.delays).last().isEqualTo(Duration.ofSeconds(1));
        assertThat(console).last().isEqualTo("worker-us-east exited with code 137; restarting in 1 s (attempt 1)");
    }

    @Test
    void aPartThatCannotStartAgainIsTriedWithTheNextDelay() {
        var part = supervisor.add("tenancy", "http://localhost:8081", processes);
        part.start();
        processes.crashLatest(137);
        processes.failNextStarts = new IllegalStateException("tenancy exited with code 1 while starting. Last lines:\n...");
        processes.failures = 1;

        scheduler.runNext();

        assertThat(part.state()).isEqualTo(SupervisedPart.State.RESTARTING);
        assertThat(console).last().isEqualTo("tenancy did not start again (tenancy exited with code 1 while starting. "
                + "Last lines:); restarting in 2 s (attempt 2)");
        scheduler.runNext();
        assertThat(part.state()).isEqualTo(SupervisedPart.State.RUNNING);
        assertThat(part.restarts()).isEqualTo(1);
    }

    @Test
    void aPartStoppedOnPurposeIsNotRestarted() {
        var part = supervisor.add("billing", "http://localhost:8083", processes);
        part.start();

        part.stop();

        assertThat(processes.stopped).containsExactly(9_000_000L);
        assertThat(part.state()).isEqualTo(SupervisedPart.State.STOPPED);
        assertThat(scheduler.tasks).isEmpty();
        assertThat(console).isEmpty();
    }

    @Test
    void aRestartScheduledBeforeAStopDoesNothing() {
        var part = supervisor.add("billing", "http://localhost:8083", processes);
        part.start();
        processes.crashLatest(137);

        part.stop();
        scheduler.runNext();

        assertThat(part.state()).isEqualTo(SupervisedPart.State.STOPPED);
        assertThat(processes.exits).hasSize(1);
    }

    @Test
    void stoppingThePlatformStopsEveryPartLastFirstAndStartsNoneAgain() {
        supervisor.add("tenancy", "http://localhost:8081", processes).start();
        supervisor.add("billing", "http://localhost:8083", processes).start();
        supervisor.add("gateway-eu-central", "http://localhost:8080", processes).start();
        // at JVM exit each child's own shutdown hook may end it before the supervisor gets to it
        processes.exits.get(1).complete(143);

        supervisor.stopAll();
        scheduler.runNext();

        assertThat(processes.stopped).containsExactly(9_000_002L, 9_000_000L);
        assertThat(processes.exits).hasSize(3);
        assertThat(supervisor.parts()).allMatch(p -> p.state() == SupervisedPart.State.STOPPED);
    }

    @Test
    void aFirstStartThatFailsLeavesThePartStoppedAndSaysWhy() {
        var part = supervisor.add("gateway-eu-central", "http://localhost:8080", processes);
        processes.failNextStarts = new IllegalStateException("port 8080 in use");
        processes.failures = 1;

        assertThatThrownBy(part::start).hasMessage("port 8080 in use");
        assertThat(part.status().state()).isEqualTo("stopped");
        assertThat(part.status().note()).isEqualTo("did not start: port 8080 in use");
        assertThat(scheduler.tasks).isEmpty();
    }

    @Test
    void theStatusFileListsEveryPartAndReadsBackAsTheStatusTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("status.tsv");
        var recording = new Supervisor(Backoff.DEFAULT, scheduler, clock, console::add, file);
        recording.watch(() -> new PartStatus("postgres", "running", ProcessHandle.current().pid(),
                "jdbc:postgresql://localhost:15432/", -1, ""));
        var billing = recording.add("billing", "http://localhost:8083", processes);
        billing.start();
        recording.add("gateway-us-east", "http://localhost:8082", processes).start();
        processes.exits.getFirst().complete(137);

        List<PartStatus> read = Files.readAllLines(file).stream().map(PartStatus::parse).toList();

        assertThat(read).extracting(PartStatus::name)
                .containsExactly("supervisor", "postgres", "billing", "gateway-us-east");
        assertThat(read.get(2).state()).isEqualTo("restarting");
        assertThat(read.get(2).note()).startsWith("exited with code 137 at 2027-01-31T10:00:00Z; next try in 1 s");
        // pid 9000001 is no process of this test: the table reports the recorded run as dead
        String table = PartStatus.table(Supervisor.read(file));
        assertThat(table.lines().toList()).hasSize(5);
        assertThat(table).contains("PART", "STATE", "PID", "URL", "RESTARTS")
                .containsPattern("billing\\s+restarting\\s+-\\s+http://localhost:8083\\s+0")
                .containsPattern("gateway-us-east\\s+dead\\s+9000001\\s+http://localhost:8082\\s+0\\s+no process 9000001")
                .containsPattern("postgres\\s+running\\s+" + ProcessHandle.current().pid());
    }

    @Test
    void backoffNeverWaitsLongerThanItsMaximum() {
        var backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(10));
        assertThat(List.of(backoff.delay(1), backoff.delay(2), backoff.delay(3), backoff.delay(4), backoff.delay(60)))
                .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(3), Duration.ofSeconds(3));
        assertThat(SupervisedPart.seconds(Duration.ofMillis(500))).isEqualTo("500 ms");
    }
}
