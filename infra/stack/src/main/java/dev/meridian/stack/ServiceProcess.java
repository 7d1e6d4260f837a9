package dev.meridian.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        Path jar = home.serviceJar(module);
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaBinary(), "-Xms64m", "-Xmx512m"));
        for (String option : System.getProperty(JAVA_OPTIONS, "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-Dquarkus.http.port=" + port);
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        var child = ChildProcess.start(name, command, Map.of(), home.root(), logDir.resolve(name + ".log"), pidDir);
        String url = "http://localhost:" + port;
        child.awaitReady(() -> ready(url), Duration.ofSeconds(120));
        return new ServiceProcess(child, url);
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
