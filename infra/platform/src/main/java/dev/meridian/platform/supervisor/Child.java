package dev.meridian.platform.supervisor;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * A started process as the supervisor sees it: its pid, its end (with the exit code where the process is this JVM's
 * own child), and how to stop it.
 */
public record Child(long pid, CompletionStage<OptionalInt> exit, Runnable stop) {

    /** A child of this JVM, whose exit code is known. */
    public static Child of(long pid, CompletionStage<Integer> exitCode, Runnable stop) {
        return new Child(pid, exitCode.thenApply(OptionalInt::of), stop);
    }

    /** A process started by a library that only tells its pid: its end is seen, its exit code is not. */
    public static Child ofPid(long pid, Runnable stop) {
        var handle = ProcessHandle.of(pid);
        CompletionStage<OptionalInt> exit = handle.isPresent()
                ? handle.get().onExit().thenApply(h -> OptionalInt.empty())
                : java.util.concurrent.CompletableFuture.completedFuture(OptionalInt.empty());
        return new Child(pid, exit, stop);
    }
}
