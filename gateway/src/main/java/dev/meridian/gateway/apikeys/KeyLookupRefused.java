package dev.meridian.gateway.apikeys;

/**
 * The gateway did not ask tenancy about a key prefix: the caller's budget of lookups for prefixes tenancy does not
 * know is spent (429), or too many lookups are under way (503). Carries the answer the caller gets and when to retry.
 * Thrown often under attack, so it records no stack trace.
 */
public final class KeyLookupRefused extends RuntimeException {

    private final transient Verdict verdict;
    private final long retryAfterSeconds;

    KeyLookupRefused(Verdict verdict, long retryAfterSeconds) {
        super(verdict.error().error().message(), null, false, false);
        this.verdict = verdict;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The status and OpenAI-style error to answer with. */
    public Verdict verdict() {
        return verdict;
    }

    /** For the {@code Retry-After} header: whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
