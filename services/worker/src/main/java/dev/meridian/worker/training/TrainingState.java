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
 * comes from the seed and the epoch number, so a resumed run takes the same steps as an uninterrupted one.
 */
public final class TrainingState {

    private static final int FORMAT = 1;

    public int epochsDone;
    public int step;
    public ClassifierHead head;
    public Adam adam;
    public ClassifierHead best;
    public double bestLoss = Double.POSITIVE_INFINITY;
    public int epochsWithoutImprovement;
    public boolean stoppedEarly;

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
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TrainingState fromBytes(byte[] data) {
        try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalStateException("checkpoint format " + format + " is not " + FORMAT);
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
