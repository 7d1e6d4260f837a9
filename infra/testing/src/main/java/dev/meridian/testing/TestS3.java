package dev.meridian.testing;

import dev.meridian.stack.MeridianHome;
import dev.meridian.stack.Ports;
import dev.meridian.stack.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One S3-compatible server per test JVM (S3Proxy, see {@link S3Server}), started on first use. Like
 * {@link TestStack}, it is found again from other class loaders of the JVM through a system property.
 */
public final class TestS3 {

    static final String RUNNING = "meridian.test-s3.running";

    /** Where the server answers, its one access key, and the folder its buckets live in. */
    public record Endpoint(String url, String accessKeyId, String secretAccessKey, Path bucketsDir) {

        /** A new, empty bucket with a unique name. */
        public String newBucket() {
            return createBucket("meridian-" + UUID.randomUUID().toString().substring(0, 8));
        }

        /** Creates the bucket unless it exists; returns its name. */
        public String createBucket(String name) {
            try {
                Files.createDirectories(bucketsDir.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return name;
        }

        /** The objects a bucket holds under a key prefix, counted on the server's own disk. */
        public long objects(String bucket, String prefix) {
            Path dir = bucketsDir.resolve(bucket).resolve(prefix);
            if (!Files.exists(dir)) {
                return 0;
            }
            try (var files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestS3() {
    }

    public static synchronized Endpoint get() {
        String running = System.getProperty(RUNNING);
        if (running != null) {
            String[] p = running.split("\n");
            return new Endpoint(p[0], p[1], p[2], Path.of(p[3]));
        }
        MeridianHome home = MeridianHome.locate();
        Path state = home.root().resolve("target/test-stack/s3-" + ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        var server = S3Server.start(home, Ports.free(), state, state.resolve("logs"), "meridian-test",
                "s3-" + UUID.randomUUID());
        System.out.printf("[test-stack] S3Proxy ready at %s (%.1f s)%n", server.endpoint(),
                (System.nanoTime() - t0) / 1e9);
        var endpoint = new Endpoint(server.endpoint(), server.accessKeyId(), server.secretAccessKey(),
                state.resolve("buckets").toAbsolutePath());
        System.setProperty(RUNNING, String.join("\n", endpoint.url(), endpoint.accessKeyId(),
                endpoint.secretAccessKey(), endpoint.bucketsDir().toString()));
        return endpoint;
    }
}
