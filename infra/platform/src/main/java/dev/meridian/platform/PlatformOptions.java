package dev.meridian.platform;

import dev.meridian.stack.Ports;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the platform keeps its state and which ports it uses. {@link #defaults} are the documented local ports
 * ({@code ./platform up}); {@link #forTests} takes free ports and throwaway state.
 */
public record PlatformOptions(Path stateDir, int postgresPort, int kafkaPort, int kafkaControllerPort,
        int keycloakPort, int keycloakManagementPort, int tenancyPort, Map<String, Integer> gatewayPorts,
        Map<String, Integer> inferencePorts, Map<String, Integer> modelsPorts, int billingPort, boolean durable,
        boolean randomSecrets, int consolePort) {

    public static final String EU_CENTRAL = "eu-central";
    public static final String US_EAST = "us-east";
    public static final String CN_NORTH = "cn-north";

    /**
     * The regions the platform can run, each with its local ports (gateway, inference, models), in the order they
     * start. A sovereign region's gateway runs with {@code meridian.gateway.sovereign=true}.
     */
    public record KnownRegion(String id, int gatewayPort, int inferencePort, int modelsPort, boolean sovereign) {
    }

    private static final Map<String, KnownRegion> KNOWN = knownRegions(
            new KnownRegion(EU_CENTRAL, 8080, 8090, 8100, false),
            new KnownRegion(US_EAST, 8082, 8092, 8102, false),
            new KnownRegion(CN_NORTH, 8084, 8094, 8104, true));

    /** What {@code ./platform up} runs without {@code --regions}: two regions, which a 2-core laptop carries. */
    public static final List<String> DEFAULT_REGIONS = List.of(EU_CENTRAL, US_EAST);

    public PlatformOptions {
        stateDir = stateDir.toAbsolutePath().normalize(); // child processes run in other working directories
    }

    public static PlatformOptions defaults(Path stateDir) {
        return defaults(stateDir, DEFAULT_REGIONS);
    }

    /** The documented local ports for the given regions (see {@link #regions}). */
    public static PlatformOptions defaults(Path stateDir, List<String> regions) {
        Map<String, Integer> gateways = new LinkedHashMap<>();
        Map<String, Integer> inference = new LinkedHashMap<>();
        Map<String, Integer> models = new LinkedHashMap<>();
        for (String id : regions(String.join(",", regions))) {
            KnownRegion r = KNOWN.get(id);
            gateways.put(id, r.gatewayPort());
            inference.put(id, r.inferencePort());
            models.put(id, r.modelsPort());
        }
        return new PlatformOptions(stateDir, 15432, 19092, 19093, 18080, 19000, 8081, gateways, inference, models,
                8083, true, false, 8088);
    }

    public static PlatformOptions forTests(Path stateDir) {
        return forTests(stateDir, DEFAULT_REGIONS);
    }

    /** Free ports and throwaway state, for the given regions. */
    public static PlatformOptions forTests(Path stateDir, List<String> regions) {
        Map<String, Integer> gateways = new LinkedHashMap<>();
        Map<String, Integer> inference = new LinkedHashMap<>();
        Map<String, Integer> models = new LinkedHashMap<>();
        for (String id : regions(String.join(",", regions))) {
            gateways.put(id, Ports.free());
            inference.put(id, Ports.free());
            models.put(id, Ports.free());
        }
        return new PlatformOptions(stateDir, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(),
                Ports.free(), gateways, inference, models, Ports.free(), false, true, Ports.free());
    }

    /**
     * The value of {@code --regions} ({@code eu-central,us-east,cn-north}): known regions, each once, eu-central among
     * them (the demo tenant and the console live there); in the order the platform knows them.
     *
     * @throws IllegalArgumentException saying what was wrong and which regions there are
     */
    public static List<String> regions(String flag) {
        String known = String.join(", ", KNOWN.keySet());
        if (flag == null || flag.isBlank()) {
            throw new IllegalArgumentException("--regions needs a comma-separated list of regions, e.g. --regions "
                    + String.join(",", KNOWN.keySet()) + " (known regions: " + known + ")");
        }
        Set<String> asked = new LinkedHashSet<>();
        for (String part : flag.split(",")) {
            String id = part.strip();
            if (!KNOWN.containsKey(id)) {
                throw new IllegalArgumentException("--regions: unknown region '" + id + "'. Known regions: " + known
                        + ".");
            }
            if (!asked.add(id)) {
                throw new IllegalArgumentException("--regions: '" + id + "' is named twice; name each region once.");
            }
        }
        if (!asked.contains(EU_CENTRAL)) {
            throw new IllegalArgumentException("--regions must include " + EU_CENTRAL + ", where the demo tenant and"
                    + " the console live, e.g. --regions " + EU_CENTRAL + "," + String.join(",", asked) + ".");
        }
        return KNOWN.keySet().stream().filter(asked::contains).toList();
    }

    /** Whether the region is sovereign: its gateway serves only its own tenants and forwards nothing in or out. */
    public static boolean isSovereign(String region) {
        KnownRegion r = KNOWN.get(region);
        return r != null && r.sovereign();
    }

    private static Map<String, KnownRegion> knownRegions(KnownRegion... regions) {
        Map<String, KnownRegion> byId = new LinkedHashMap<>();
        for (KnownRegion r : regions) {
            byId.put(r.id(), r);
        }
        return java.util.Collections.unmodifiableMap(byId);
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
