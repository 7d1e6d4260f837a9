package dev.meridian.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.onnx.OnnxRuntime;
import dev.meridian.inference.config.InferenceConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The service's {@link OnnxRuntime} (the environment and provider every Meridian process sets up the same way), with
 * what serving adds: a {@link RunGate} that keeps concurrent batches from oversubscribing the cores, and the options
 * of tenant models.
 */
@ApplicationScoped
public class OrtRuntime {

    private static final Logger LOG = Logger.getLogger(OrtRuntime.class);

    @Inject
    InferenceConfig config;

    private OnnxRuntime runtime;
    private RunGate gate;

    @PostConstruct
    void init() {
        runtime = OnnxRuntime.start(config.executionProvider(), intraOpThreads(),
                "meridian.inference.execution-provider");
        int cores = Runtime.getRuntime().availableProcessors();
        int concurrent = config.concurrentRuns().orElse(runtime.cuda() ? 4 : Math.max(1, cores / intraOpThreads()));
        gate = new RunGate(concurrent);
        LOG.infof("%d model call(s) at once", concurrent);
    }

    /** A base model's session options: see {@link OnnxRuntime#sessionOptions()}. */
    public OrtSession.SessionOptions sessionOptions() throws OrtException {
        return runtime.sessionOptions();
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
        return runtime.env();
    }

    public String provider() {
        return runtime.provider();
    }

    private int intraOpThreads() {
        return config.intraOpThreads().orElse(Runtime.getRuntime().availableProcessors());
    }
}
