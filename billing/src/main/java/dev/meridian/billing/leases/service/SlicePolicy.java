package dev.meridian.billing.leases.service;

/**
 * How much of what remains one lease gets: a fraction of the remaining, at least a floor and at most a cap, and
 * never more than remains. Slices shrink as the remaining shrinks, so many gateways near the limit each hold little.
 */
public record SlicePolicy(int fractionBp, long floor, long cap) {

    public SlicePolicy {
        if (fractionBp <= 0 || fractionBp > 10_000 || floor < 0 || cap < floor) {
            throw new IllegalArgumentException("slice policy needs 0 < fraction <= 10000 bp and 0 <= floor <= cap");
        }
    }

    /** The slice of {@code remaining} (0 when nothing remains). */
    public long slice(long remaining) {
        if (remaining <= 0) {
            return 0;
        }
        long share = remaining <= Long.MAX_VALUE / fractionBp ? remaining * fractionBp / 10_000
                : remaining / 10_000 * fractionBp;
        return Math.min(remaining, Math.min(cap, Math.max(floor, share)));
    }
}
