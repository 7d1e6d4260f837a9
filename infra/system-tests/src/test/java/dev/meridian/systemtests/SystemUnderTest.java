package dev.meridian.systemtests;

import dev.meridian.platform.Platform;
import dev.meridian.platform.PlatformOptions;
import dev.meridian.platform.RunningPlatform;
import dev.meridian.stack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole platform, started once per test JVM exactly as {@code ./platform up} starts it (same supervisor code),
 * on free ports and fresh state under {@code target/}: PostgreSQL, Kafka, Keycloak, tenancy, billing, and for
 * {@code eu-central}, {@code us-east} and the sovereign {@code cn-north} each a models service, an inference service,
 * a fine-tune worker and a gateway (as {@code ./platform up --regions eu-central,us-east,cn-north}). Tracing is on:
 * the services send every trace to a {@link TraceCollector} in this JVM.
 */
final class SystemUnderTest {

    static final List<String> REGIONS = List.of(PlatformOptions.EU_CENTRAL, PlatformOptions.US_EAST,
            PlatformOptions.CN_NORTH);

    private static RunningPlatform platform;
    private static RuntimeException failure;
    private static TraceCollector traces;

    private SystemUnderTest() {
    }

    static synchronized RunningPlatform platform() {
        if (failure != null) {
            throw new IllegalStateException("the platform failed to start earlier in this JVM", failure);
        }
        if (platform == null) {
            try {
                Path state = Files.createTempDirectory(Path.of("target"), "platform-");
                // Every service records every trace and sends it to this JVM, as it would to a collector.
                traces = TraceCollector.start();
                // A closed tenant is erased seconds later, not after 30 days (TenantErasureIT).
                System.setProperty(ServiceProcess.JAVA_OPTIONS, System.getProperty(ServiceProcess.JAVA_OPTIONS, "")
                        + " " + String.join(" ", traces.serviceOptions())
                        + " -Dmeridian.tenancy.closure.grace=PT10S -Dmeridian.tenancy.closure.interval=2s");
                long start = System.nanoTime();
                try {
                    platform = Platform.start(PlatformOptions.forTests(state, REGIONS),
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

    /** The spans the platform's services exported since it started. */
    static TraceCollector traces() {
        platform();
        return traces;
    }

    static String eu() {
        return platform().gatewayUrl("eu-central");
    }

    static String us() {
        return platform().gatewayUrl("us-east");
    }

    /** The gateway of cn-north, a sovereign region: it serves only tenants homed there. */
    static String cn() {
        return platform().gatewayUrl("cn-north");
    }
}
