package dev.meridian.models.registry.validation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The child-JVM side of a trial run: loads the model in ONNX Runtime, feeds every input zeros (empty strings for
 * text) with dynamic dimensions set to 1, and runs it once. Exit 0 and one line on stdout when it ran; exit 2 and the
 * reason on stderr when it did not. Depends on nothing but the JDK and ONNX Runtime, so the parent can start it on
 * a two-entry class path.
 */
public final class TrialRun {

    private TrialRun() {
    }

    public static void main(String[] args) {
        try (OrtEnvironment env = OrtEnvironment.getEnvironment();
                var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(args[0], options)) {
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                        if (!(e.getValue().getInfo() instanceof TensorInfo t)) {
                            throw new IllegalArgumentException("input '" + e.getKey() + "' is not a tensor");
                        }
                        feed.put(e.getKey(), zeros(env, t));
                    }
                    try (OrtSession.Result result = session.run(feed)) {
                        System.out.println("ran: " + result.size() + " outputs");
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
            System.exit(0);
        } catch (Throwable e) {
            System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
            System.exit(2);
        }
    }

    static OnnxTensor zeros(OrtEnvironment env, TensorInfo info) throws Exception {
        long[] shape = Arrays.stream(info.getShape()).map(d -> d < 0 ? 1 : d).toArray();
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (info.type == OnnxJavaType.STRING) {
            String[] empty = new String[Math.toIntExact(count)];
            Arrays.fill(empty, "");
            return OnnxTensor.createTensor(env, empty, shape);
        }
        int width = info.type.size;
        ByteBuffer zeros = ByteBuffer.allocateDirect(Math.toIntExact(count * width));
        return OnnxTensor.createTensor(env, zeros, shape, info.type);
    }
}
