package dev.meridian.worker.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Everything a job needs to go on exactly where it stopped after the last completed epoch: the head, Adam's moments,
 * the best head so far and early stopping's count. Written as a checkpoint after each epoch; the epoch's shuffle
 * comes from the seed and the epoch number, so a resumed run takes the same steps as an uninterrupted one. It also
 * keeps every epoch's metrics and which epoch gave the best head, so a resumed job's result files cover all its epochs.
 * Checkpoints of format 1 (before the history) are read with an empty history.
 */
public final class TrainingState {

    private static final int FORMAT = 2;

    public int epochsDone;
    public int step;
    public ClassifierHead head;
    public Adam adam;
    public ClassifierHead best;
    public double bestLoss = Double.POSITIVE_INFINITY;
    public int epochsWithoutImprovement;
    public boolean stoppedEarly;
    /** The epoch whose head {@link #best} is; 0 before the first epoch. */
    public int bestEpoch;
    /** Every epoch done so far, in order. */
    public final java.util.List<EpochMetrics> history = new java.util.ArrayList<>();

    public byte[] toBytes() {
        try (var bytes = new ByteArrayOutputStream(); var out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(epochsDone);
            out.writeInt(step);
            out.writeInt(head.dims);
            out.writeInt(head.labels);
            writeFloats(out, head.w);
            writeFloats(out, head.b);
            out.writeFloat(adam.learningRate);
            out.writeInt(adam.t);
            writeFloats(out, adam.mw);
            writeFloats(out, adam.vw);
            writeFloats(out, adam.mb);
            writeFloats(out, adam.vb);
            writeFloats(out, best.w);
            writeFloats(out, best.b);
            out.writeDouble(bestLoss);
            out.writeInt(epochsWithoutImprovement);
            out.writeBoolean(stoppedEarly);
            out.writeInt(bestEpoch);
            out.writeInt(history.size());
            for (EpochMetrics m : history) {
                out.writeInt(m.epoch());
                out.writeInt(m.step());
                out.writeDouble(m.trainLoss());
                out.writeDouble(m.trainAccuracy());
                out.writeDouble(m.validLoss());
                out.writeDouble(m.validAccuracy());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TrainingState fromBytes(byte[] data) {
        try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readInt();
            if (format != FORMAT && format != 1) {
                throw new IllegalStateException("checkpoint format " + format + " is neither 1 nor " + FORMAT);
            }
            var s = new TrainingState();
            s.epochsDone = in.readInt();
            s.step = in.readInt();
            int dims = in.readInt();
            int labels = in.readInt();
            s.head = new ClassifierHead(dims, labels, readFloats(in), readFloats(in));
            float lr = in.readFloat();
            int t = in.readInt();
            s.adam = new Adam(lr, readFloats(in), readFloats(in), readFloats(in), readFloats(in), t);
            s.best = new ClassifierHead(dims, labels, readFloats(in), readFloats(in));
            s.bestLoss = in.readDouble();
            s.epochsWithoutImprovement = in.readInt();
            s.stoppedEarly = in.readBoolean();
            if (format >= 2) {
                s.bestEpoch = in.readInt();
                int epochs = in.readInt();
                for (int i = 0; i < epochs; i++) {
                    s.history.add(new EpochMetrics(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(),
                            in.readDouble(), in.readDouble()));
                }
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable checkpoint", e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float f : a) {
            out.writeFloat(f);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] a = new float[in.readInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }
}
