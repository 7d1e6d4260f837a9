package dev.meridian.worker.training;

/** Adam (Kingma and Ba) over the head's two parameter arrays, with bias-corrected moments. */
public final class Adam {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    public final float learningRate;
    public final float[] mw;
    public final float[] vw;
    public final float[] mb;
    public final float[] vb;
    public int t;

    public Adam(float learningRate, int weights, int biases) {
        this(learningRate, new float[weights], new float[weights], new float[biases], new float[biases], 0);
    }

    public Adam(float learningRate, float[] mw, float[] vw, float[] mb, float[] vb, int t) {
        this.learningRate = learningRate;
        this.mw = mw;
        this.vw = vw;
        this.mb = mb;
        this.vb = vb;
        this.t = t;
    }

    void update(float[] w, float[] gw, float[] b, float[] gb) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        apply(w, gw, mw, vw, c1, c2);
        apply(b, gb, mb, vb, c1, c2);
    }

    private void apply(float[] p, float[] g, float[] m, float[] v, double c1, double c2) {
        for (int i = 0; i < p.length; i++) {
            m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
            v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
            double mHat = m[i] / c1;
            double vHat = v[i] / c2;
            p[i] -= (float) (learningRate * mHat / (Math.sqrt(vHat) + EPSILON));
        }
    }
}
