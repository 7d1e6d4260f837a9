package dev.meridian.common.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.logging.Logger;

/**
 * The one ONNX Runtime environment of a process and the session options its models get: the execution provider
 * chosen once (CUDA when this build of ONNX Runtime has it and it initialises, else CPU), and thread settings that
 * keep ONNX Runtime from spinning on cores other work needs. The inference service serves and the worker trains
 * with it, so both run a base model the same way.
 *
 * <p>Common declares ONNX Runtime {@code provided}: each service brings the artifact its build chose
 * ({@code ${onnxruntime.artifact}}: {@code onnxruntime}, or {@code onnxruntime_gpu} with {@code -Pgpu}).
 */
public final class OnnxRuntime {

    private static final Logger LOG = Logger.getLogger(OnnxRuntime.class.getName());

    private final OrtEnvironment env;
    private final String provider;
    private final int intraOpThreads;

    private OnnxRuntime(OrtEnvironment env, String provider, int intraOpThreads) {
        this.env = env;
        this.provider = provider;
        this.intraOpThreads = intraOpThreads;
    }

    /**
     * @param wanted {@code auto} (CUDA when usable, else CPU), {@code cpu} or {@code cuda}
     * @param intraOpThreads threads of one ONNX Runtime call
     * @param setting the name of the setting {@code wanted} came from, for the message should CUDA be missing
     * @throws IllegalStateException when {@code cuda} was asked for and cannot be used here
     */
    public static OnnxRuntime start(String wanted, int intraOpThreads, String setting) {
        var env = OrtEnvironment.getEnvironment();
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        boolean cuda = available.contains(OrtProvider.CUDA) && !"cpu".equals(wanted) && cudaWorks();
        if ("cuda".equals(wanted) && !cuda) {
            throw new IllegalStateException(setting + "=cuda, but this ONNX Runtime (" + available + ") cannot use a"
                    + " GPU here. Build with -Pgpu on a machine with CUDA, or use auto.");
        }
        var runtime = new OnnxRuntime(env, cuda ? "CUDA" : "CPU", intraOpThreads);
        LOG.info("ONNX Runtime " + env.getVersion() + ": execution provider " + runtime.provider + " (available: "
                + available + "), " + intraOpThreads + " intra-op threads");
        return runtime;
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

    /** Options for a new session: all graph optimisations, the chosen provider, no spinning pool threads. */
    public OrtSession.SessionOptions sessionOptions() throws OrtException {
        var options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        // ONNX Runtime's pool threads spin between calls by default; on a small machine that steals the cores the
        // threads that hand it the next batch need.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        if (cuda()) {
            options.addCUDA(0);
        }
        return options;
    }

    public OrtEnvironment env() {
        return env;
    }

    /** {@code CUDA} or {@code CPU}. */
    public String provider() {
        return provider;
    }

    public boolean cuda() {
        return "CUDA".equals(provider);
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }
}
