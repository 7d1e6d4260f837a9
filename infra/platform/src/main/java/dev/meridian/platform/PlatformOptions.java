package dev.meridian.platform;

import dev.meridian.stack.Ports;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the platform keeps its state and which ports it uses. {@link #defaults} are the documented local ports
 * ({@code ./platform up}); {@link #forTests} takes free ports and throwaway state.
 */
public record PlatformOptions(Path stateDir, int postgresPort, int kafkaPort, int kafkaControllerPort,
        int keycloakPort, int keycloakManagementPort, int tenancyPort, Map<String, Integer> gatewayPorts,
        Map<String, Integer> inferencePorts, Map<String, Integer> modelsPorts, int billingPort, boolean durable,
        boolean randomSecrets, int consolePort) {

    public static final String EU_CENTRAL = "eu-central";

    public PlatformOptions {
        stateDir = stateDir.toAbsolutePath().normalize(); // child processes run in other working directories
    }
    public static final String US_EAST = "us-east";

    public static PlatformOptions defaults(Path stateDir) {
        Map<String, Integer> gateways = new LinkedHashMap<>();
        gateways.put(EU_CENTRAL, 8080);
        gateways.put(US_EAST, 8082);
        Map<String, Integer> inference = new LinkedHashMap<>();
        inference.put(EU_CENTRAL, 8090);
        inference.put(US_EAST, 8092);
        Map<String, Integer> models = new LinkedHashMap<>();
        models.put(EU_CENTRAL, 8100);
        models.put(US_EAST, 8102);
        return new PlatformOptions(stateDir, 15432, 19092, 19093, 18080, 19000, 8081, gateways, inference, models,
                8083, true, false, 8088);
    }

    public static PlatformOptions forTests(Path stateDir) {
        Map<String, Integer> gateways = new LinkedHashMap<>();
        gateways.put(EU_CENTRAL, Ports.free());
        gateways.put(US_EAST, Ports.free());
        Map<String, Integer> inference = new LinkedHashMap<>();
        inference.put(EU_CENTRAL, Ports.free());
        inference.put(US_EAST, Ports.free());
        Map<String, Integer> models = new LinkedHashMap<>();
        models.put(EU_CENTRAL, Ports.free());
        models.put(US_EAST, Ports.free());
        return new PlatformOptions(stateDir, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(),
                Ports.free(), gateways, inference, models, Ports.free(), false, true, Ports.free());
    }

    public Path logDir() {
        return stateDir.resolve("logs");
    }

    /** A region's blob store (tenant models, datasets, checkpoints), shared by its models, inference and workers. */
    public Path blobDir(String region) {
        return stateDir.resolve("blobs").resolve(region);
    }

    public Path pidDir() {
        return stateDir.resolve("pids");
    }

    /** The local regions' databases, beside the control plane's. */
    public static String regionDatabase(String region) {
        return "meridian_" + region.replace('-', '_');
    }
}
