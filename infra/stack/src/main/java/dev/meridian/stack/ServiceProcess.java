package dev.meridian.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One of the platform's own Quarkus services, run from its packaged {@code quarkus-run.jar} in a child JVM. */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final ChildProcess process;
    private final String url;

    private ServiceProcess(ChildProcess process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Extra JVM options for every service started here, space-separated (system property
     * {@value #JAVA_OPTIONS}): the test builds start short-lived services without the optimising JIT.
     */
    public static final String JAVA_OPTIONS = "meridian.service.java-options";

    /**
     * Starts {@code module}'s jar on {@code port} with {@code config} as system properties, and waits until its
     * readiness check answers.
     */
    public static ServiceProcess start(MeridianHome home, String name, String module, int port,
            Map<String, String> config, Path logDir, Path pidDir) {
        return start(home, name, module, port, config, logDir, pidDir, "512m");
    }

    /** As {@link #start(MeridianHome, String, String, int, Map, Path, Path)}, with a heap of at most {@code maxHeap}. */
    public static ServiceProcess start(MeridianHome home, String name, String module, int port,
            Map<String, String> config, Path logDir, Path pidDir, String maxHeap) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.http.port", Integer.toString(port));
        settings.putAll(config);
        var child = ChildProcess.start(name, command(home, module, settings, maxHeap), Map.of(), home.root(), logDir.resolve(name + ".log"), pidDir);
        String url = "http://localhost:" + port;
        child.awaitReady(() -> ready(url), Duration.ofSeconds(120));
        return new ServiceProcess(child, url);
    }

    /**
     * Runs {@code module}'s Flyway migrations once and waits for it to finish: the service's own jar, which Quarkus
     * initialises (Flyway migrates at start) and then leaves ({@code quarkus.init-and-exit}, what Quarkus' generated
     * Kubernetes init Jobs run), so its schemas, history table and placeholders stay in its own configuration.
     * {@code config} names the database and the owner role's credentials; no HTTP port is opened and no OIDC server
     * is needed.
     */
    public static void migrate(MeridianHome home, String name, String module, Map<String, String> config,
            Path logDir) {
        Map<String, String> migration = new LinkedHashMap<>(config);
        migration.put("quarkus.http.port", "0"); // in case anything binds before the exit
        migration.put("quarkus.init-and-exit", "true");
        migration.put("quarkus.flyway.active", "true");
        migration.put("quarkus.flyway.migrate-at-start", "true");
        migration.put("quarkus.oidc.tenant-enabled", "false");
        var child = ChildProcess.start(name, command(home, module, migration, "512m"), Map.of(), home.root(),
                logDir.resolve(name + ".log"), null);
        child.awaitSuccess(Duration.ofSeconds(180));
    }

    private static List<String> command(MeridianHome home, String module, Map<String, String> config,
            String maxHeap) {
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaBinary(), "-Xms64m", "-Xmx" + maxHeap));
        for (String option : System.getProperty(JAVA_OPTIONS, "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(home.serviceJar(module).toString());
        return command;
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return process.name();
    }

    /** Completes with the exit code when the service's JVM ends, however it ends. */
    public java.util.concurrent.CompletableFuture<Integer> onExit() {
        return process.onExit();
    }

    public static boolean ready(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
