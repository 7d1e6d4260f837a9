package dev.meridian.worker.training;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.logging.Logger;

/**
 * The worker's ONNX Runtime: one environment, the execution provider chosen once (CUDA when this build has it and a
 * GPU answers, else CPU), as the inference service chooses it.
 */
public final class OrtRuntime {

    private static final Logger LOG = Logger.getLogger(OrtRuntime.class.getName());

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final String provider;
    private final int threads;

    /** @param wanted {@code auto}, {@code cpu} or {@code cuda} */
    public OrtRuntime(String wanted, int threads) {
        this.threads = threads;
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        boolean cuda = available.contains(OrtProvider.CUDA) && !"cpu".equals(wanted) && cudaWorks();
        if ("cuda".equals(wanted) && !cuda) {
            throw new IllegalStateException("execution provider cuda was asked for, but this ONNX Runtime ("
                    + available + ") cannot use a GPU here. Build with -Pgpu on a machine with CUDA, or use auto.");
        }
        provider = cuda ? "CUDA" : "CPU";
        LOG.info("ONNX Runtime " + env.getVersion() + ": execution provider " + provider + " (available: " + available
                + "), " + threads + " intra-op threads");
    }

    private static boolean cudaWorks() {
        try (var options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
            return true;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.info("CUDA execution provider present but unusable (" + e.getMessage() + "); using CPU");
            return false;
        }
    }

    public OrtSession.SessionOptions sessionOptions() throws OrtException {
        var options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        if ("CUDA".equals(provider)) {
            options.addCUDA(0);
        }
        return options;
    }

    public OrtEnvironment env() {
        return env;
    }

    public String provider() {
        return provider;
    }
}
