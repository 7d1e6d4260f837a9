package dev.meridian.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An S3-compatible server for tests of the S3 blob store: S3Proxy (from Maven Central, resolved by infra/dist) on
 * its filesystem backend, in a child JVM, checking AWS Signature V4 with one access key. A bucket is a folder of
 * {@code <dataDir>/buckets}, an object a file under it.
 */
public final class S3Server implements AutoCloseable {

    private final ChildProcess process;
    private final int port;
    private final String accessKeyId;
    private final String secretAccessKey;

    private S3Server(ChildProcess process, int port, String accessKeyId, String secretAccessKey) {
        this.process = process;
        this.port = port;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    public static S3Server start(MeridianHome home, int port, Path dataDir, Path logDir, String accessKeyId,
            String secretAccessKey) {
        try {
            Files.createDirectories(dataDir.resolve("buckets"));
            Files.createDirectories(logDir);
            Path config = dataDir.resolve("s3proxy.properties");
            Files.writeString(config, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v4",
                    "s3proxy.identity=" + accessKeyId,
                    "s3proxy.credential=" + secretAccessKey,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dataDir.resolve("buckets").toAbsolutePath(),
                    ""));
            var command = List.of(ChildProcess.javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-jar", home.s3proxyJar().toString(), "--properties", config.toString());
            var child = ChildProcess.start("s3proxy", command, Map.of(), dataDir, logDir.resolve("s3proxy.log"), null);
            var server = new S3Server(child, port, accessKeyId, secretAccessKey);
            child.awaitReady(() -> Ports.listening(port), Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare S3Proxy in " + dataDir, e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    @Override
    public void close() {
        process.close();
    }
}
