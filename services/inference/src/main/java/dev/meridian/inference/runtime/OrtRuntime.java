package dev.meridian.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.meridian.inference.config.InferenceConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumSet;
import org.jboss.logging.Logger;

/**
 * The one ONNX Runtime environment of the process and the session options every model gets: the execution
 * provider chosen once at start (CUDA when this build of ONNX Runtime has it and it initialises, else CPU) and
 * thread counts that keep concurrent batches from oversubscribing the cores.
 */
@ApplicationScoped
public class OrtRuntime {

    private static final Logger LOG = Logger.getLogger(OrtRuntime.class);

    @Inject
    InferenceConfig config;

    private OrtEnvironment env;
    private String provider;
    private RunGate gate;

    @PostConstruct
    void init() {
        env = OrtEnvironment.getEnvironment();
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        String wanted = config.executionProvider();
        boolean cuda = available.contains(OrtProvider.CUDA) && !"cpu".equals(wanted) && cudaWorks();
        if ("cuda".equals(wanted) && !cuda) {
            throw new IllegalStateException("meridian.inference.execution-provider=cuda, but this ONNX Runtime ("
                    + available + ") cannot use a GPU here. Build with -Pgpu on a machine with CUDA, or use auto.");
        }
        provider = cuda ? "CUDA" : "CPU";
        int concurrent = config.concurrentRuns()
                .orElse(cuda ? 4 : Math.max(1, Runtime.getRuntime().availableProcessors() / intraOpThreads()));
        gate = new RunGate(concurrent);
        LOG.infof("ONNX Runtime %s: execution provider %s (available: %s), %d intra-op threads, %d model call(s) at"
                + " once", env.getVersion(), provider, available, intraOpThreads(), concurrent);
    }

    private boolean cudaWorks() {
        try (var options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
            return true;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.infof("CUDA execution provider present but unusable (%s); using CPU", e.getMessage());
            return false;
        }
    }

    public OrtSession.SessionOptions sessionOptions() throws OrtException {
        var options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(intraOpThreads());
        options.setInterOpNumThreads(1);
        // ONNX Runtime's pool threads spin between calls by default; on a small machine that steals the cores the
        // HTTP threads need to hand it the next batch.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        if ("CUDA".equals(provider)) {
            options.addCUDA(0);
        }
        return options;
    }

    /**
     * Session options of a tenant model: as a base model's, but with {@code intraOpThreads} threads (tenant calls run
     * on their own pool, not through the {@link RunGate}, so their cores are bounded here) and without the CPU memory
     * arena, so that what one call allocated for input-dependent shapes goes back to the system when it ends instead
     * of staying with the session.
     */
    public OrtSession.SessionOptions tenantSessionOptions(int intraOpThreads) throws OrtException {
        var options = sessionOptions();
        options.setIntraOpNumThreads(Math.max(1, intraOpThreads));
        options.setCPUArenaAllocator(false);
        return options;
    }

    /** Runs one model call once the process's {@link RunGate} has a slot for it. */
    public <T> T gated(RunGate.Call<T> call) throws OrtException {
        return gate.run(call);
    }

    public OrtEnvironment env() {
        return env;
    }

    public String provider() {
        return provider;
    }

    private int intraOpThreads() {
        return config.intraOpThreads().orElse(Runtime.getRuntime().availableProcessors());
    }
}
