package dev.meridian.systemtests;

import dev.meridian.platform.Platform;
import dev.meridian.platform.PlatformOptions;
import dev.meridian.platform.RunningPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole platform, started once per test JVM exactly as {@code ./platform up} starts it (same supervisor code),
 * on free ports and fresh state under {@code target/}: PostgreSQL, Kafka, Keycloak, tenancy, billing, and for
 * {@code eu-central} and {@code us-east} each a models service, an inference service, a fine-tune worker and a
 * gateway.
 */
final class SystemUnderTest {

    private static RunningPlatform platform;
    private static RuntimeException failure;

    private SystemUnderTest() {
    }

    static synchronized RunningPlatform platform() {
        if (failure != null) {
            throw new IllegalStateException("the platform failed to start earlier in this JVM", failure);
        }
        if (platform == null) {
            try {
                Path state = Files.createTempDirectory(Path.of("target"), "platform-");
                long start = System.nanoTime();
                try {
                    platform = Platform.start(PlatformOptions.forTests(state),
                            line -> System.out.println("[platform] " + line));
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
                System.out.printf("[platform] up in %.1f s%n", (System.nanoTime() - start) / 1e9);
                Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, "platform-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return platform;
    }

    static String eu() {
        return platform().gatewayUrl("eu-central");
    }

    static String us() {
        return platform().gatewayUrl("us-east");
    }
}
