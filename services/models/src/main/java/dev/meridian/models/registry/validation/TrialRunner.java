package dev.meridian.models.registry.validation;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link TrialRun} (or {@link TrialGeneration}) on a model file in a child JVM under a wall-clock timeout, a Java heap cap and a native
 * address-space cap ({@code ulimit -v}). A child process is the one place a hostile or broken model can exhaust
 * memory, crash ONNX Runtime or spin forever without taking the service with it; it is killed at the timeout.
 */
public final class TrialRunner {

    /** How a trial ended. {@code ok} only when the model ran; else {@code reason} says why not. */
    public record Outcome(boolean ok, boolean timedOut, String reason) {
    }

    private final Path classDir;
    private final Path ortJar;

    public TrialRunner() throws IOException {
        // The trial class goes to its own folder, so the child's class path holds it and ONNX Runtime only, whatever
        // packaging (jar, folder, Quarkus' class loaders) the service itself runs from.
        classDir = Files.createTempDirectory("meridian-trial-");
        for (Class<?> trial : List.of(TrialRun.class, TrialGeneration.class)) {
            String resource = trial.getName().replace('.', '/') + ".class";
            Path target = classDir.resolve(resource);
            Files.createDirectories(target.getParent());
            try (InputStream in = trial.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("cannot find " + resource + " on the class path");
                }
                Files.copy(in, target);
            }
        }
        ortJar = locate(OrtEnvironment.class);
    }

    private static Path locate(Class<?> type) throws IOException {
        try {
            var source = type.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                return Path.of(source.getLocation().toURI());
            }
            String url = type.getResource(type.getSimpleName() + ".class").toString();
            if (url.startsWith("jar:file:")) {
                return Path.of(new java.net.URI(url.substring(4, url.indexOf("!/"))));
            }
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot locate the ONNX Runtime jar: " + e.getMessage(), e);
        }
        throw new IOException("cannot locate the ONNX Runtime jar");
    }

    public Outcome run(Path model, long timeoutMillis, int heapMib, int addressSpaceMib)
            throws IOException, InterruptedException {
        return runChild(TrialRun.class, List.of(model.toAbsolutePath().toString()), timeoutMillis, heapMib,
                addressSpaceMib);
    }

    /** The decoder's KV layout as validation read it, and how long a trial generation is. */
    public record Generation(int vocabSize, int layers, int kvHeads, int headDim, boolean positionIds,
            int promptTokens, int decodeSteps) {
    }

    /** Runs {@link TrialGeneration}: a prefill and a few greedy decode steps through the KV cache. */
    public Outcome generate(Path model, Generation g, long timeoutMillis, int heapMib, int addressSpaceMib)
            throws IOException, InterruptedException {
        return runChild(TrialGeneration.class, List.of(model.toAbsolutePath().toString(),
                String.valueOf(g.vocabSize()), String.valueOf(g.layers()), String.valueOf(g.kvHeads()),
                String.valueOf(g.headDim()), String.valueOf(g.positionIds()), String.valueOf(g.promptTokens()),
                String.valueOf(g.decodeSteps())), timeoutMillis, heapMib, addressSpaceMib);
    }

    private Outcome runChild(Class<?> main, List<String> args, long timeoutMillis, int heapMib, int addressSpaceMib)
            throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> javaCommand = new ArrayList<>(List.of(javaBin, "-Xmx" + heapMib + "m", "-Xss1m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m",
                "-XX:CompressedClassSpaceSize=64m", "-XX:MaxMetaspaceSize=64m", "-Xshare:auto",
                "-cp", classDir + java.io.File.pathSeparator + ortJar, main.getName()));
        javaCommand.addAll(args);
        StringBuilder shell = new StringBuilder("ulimit -v " + (long) addressSpaceMib * 1024 + " && exec");
        for (String part : javaCommand) {
            shell.append(" '").append(part.replace("'", "'\\''")).append('\'');
        }
        var builder = new ProcessBuilder("/bin/sh", "-c", shell.toString());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.redirectErrorStream(false);
        Path out = Files.createTempFile("meridian-trial-", ".out");
        Path err = Files.createTempFile("meridian-trial-", ".err");
        try {
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Outcome(false, true, "did not finish within " + timeoutMillis + " ms");
            }
            if (process.exitValue() == 0) {
                return new Outcome(true, false, "");
            }
            String reason = lastLines(Files.readString(err));
            // "Failed to allocate memory": ONNX Runtime's arena, when the address-space cap refuses it a buffer
            if (reason.isBlank() || reason.contains("OutOfMemoryError") || reason.contains("Cannot allocate")
                    || reason.contains("std::bad_alloc") || reason.contains("Failed to allocate memory")) {
                reason = "it ran out of memory or crashed (exit " + process.exitValue() + ")"
                        + (reason.isBlank() ? "" : ": " + reason);
            }
            return new Outcome(false, false, reason);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String lastLines(String text) {
        String t = text.strip();
        return t.length() > 500 ? "…" + t.substring(t.length() - 500) : t;
    }
}
