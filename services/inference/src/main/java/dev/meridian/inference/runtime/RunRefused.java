package dev.meridian.inference.runtime;

import java.time.Duration;
import java.util.Optional;

/**
 * A model call that was refused or stopped at one of the serving limits; the message names the limit and what to do.
 * Answered with {@link #status()} (and {@code Retry-After} where waiting helps) in each API family's error body.
 */
public final class RunRefused extends RuntimeException {

    private final int status;
    private final String code;
    private final Optional<Duration> retryAfter;

    private RunRefused(int status, String code, Optional<Duration> retryAfter, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** A queue shared by all tenants is full: 503, retry shortly. */
    public static RunRefused overloaded(String message) {
        return new RunRefused(503, "server_overloaded", Optional.of(Duration.ofSeconds(1)), message);
    }

    /** The caller's tenant has as many calls running or waiting as it may: 429, retry shortly. */
    public static RunRefused tenantBusy(String message) {
        return new RunRefused(429, "too_many_concurrent_calls", Optional.of(Duration.ofSeconds(1)), message);
    }

    /** A generative model's KV cache budget is taken by the sequences running or waiting: 429, retry shortly. */
    public static RunRefused kvBudgetFull(String message) {
        return new RunRefused(429, "rate_limit_exceeded", Optional.of(Duration.ofSeconds(1)), message);
    }

    /** A generative model has as many sequences waiting for a batch slot as it may: 429, retry shortly. */
    public static RunRefused queueFull(String message) {
        return new RunRefused(429, "server_busy", Optional.of(Duration.ofSeconds(1)), message);
    }

    /** One request needs more KV cache than a generative model's whole budget: 400, it will never fit as it is. */
    public static RunRefused overKvBudget(String message) {
        return new RunRefused(400, "kv_budget_exceeded", Optional.empty(), message);
    }

    /** The call ran past the time limit and was stopped: 504; the same inputs will run as long again. */
    public static RunRefused timeLimit(String message) {
        return new RunRefused(504, "time_limit_exceeded", Optional.empty(), message);
    }

    /** The call's outputs are larger than a call may answer: 422. */
    public static RunRefused outputTooLarge(String message) {
        return new RunRefused(422, "output_too_large", Optional.empty(), message);
    }

    public int status() {
        return status;
    }

    /** The OpenAI-style error code on {@code /v1}. */
    public String code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
