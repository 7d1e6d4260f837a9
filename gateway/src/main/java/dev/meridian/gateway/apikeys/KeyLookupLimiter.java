package dev.meridian.gateway.apikeys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the tenancy lookups that callers can cause before any key is known, so random key prefixes cannot turn
 * into one database query each. Each caller address has a budget of lookups (a token bucket of {@code burst} refilled
 * at {@code perSecond}); a lookup takes a token before it starts and gives it back unless tenancy answers that no key
 * has the prefix, so callers with real keys never spend it. At most {@code maxInFlight} lookups run at once, for all
 * callers together. IPv6 callers count per /64, the block one subscriber usually holds; the table of callers is
 * bounded and forgets idle ones.
 */
public final class KeyLookupLimiter {

    /** The budget's settings. */
    public record Limits(int perSecond, int burst, int maxInFlight, long maxClients) {
        public Limits {
            if (perSecond <= 0 || burst <= 0 || maxInFlight <= 0 || maxClients <= 0) {
                throw new IllegalArgumentException("key lookup limits must be positive: " + this);
            }
        }
    }

    /** A lookup that may run; {@link #finish} or {@link #cancel} it exactly once. */
    public final class Permit {
        private final Budget budget;
        private final AtomicBoolean done = new AtomicBoolean();

        private Permit(Budget budget) {
            this.budget = budget;
        }

        /** The lookup ended; only an answer of "no such key" ({@code unknown}) keeps the caller's token spent. */
        public void finish(boolean unknown) {
            if (done.compareAndSet(false, true)) {
                slots.release();
                if (!unknown) {
                    budget.refund(ticker.read());
                }
            }
        }

        /** The lookup never ran (another one for the same prefix was joined instead). */
        public void cancel() {
            finish(false);
        }
    }

    private final Limits limits;
    private final Ticker ticker;
    private final Semaphore slots;
    private final Cache<String, Budget> clients;

    public KeyLookupLimiter(Limits limits, Ticker ticker) {
        this.limits = limits;
        this.ticker = ticker;
        this.slots = new Semaphore(limits.maxInFlight());
        // An idle caller's bucket is full again after burst / perSecond; forgetting it then changes nothing.
        long refillNanos = Duration.ofSeconds(1).toNanos() * limits.burst() / limits.perSecond();
        this.clients = Caffeine.newBuilder()
                .maximumSize(limits.maxClients())
                .expireAfterAccess(Duration.ofNanos(Math.max(refillNanos, Duration.ofSeconds(1).toNanos())))
                .ticker(ticker)
                .build();
    }

    /**
     * Lets one lookup for {@code client} (from {@link #clientOf}) start.
     *
     * @throws KeyLookupRefused when the caller's budget is spent (429) or too many lookups run (503)
     */
    public Permit admit(String client) {
        Budget budget = clients.get(client, c -> new Budget(limits.perSecond(), limits.burst(), ticker.read()));
        long wait = budget.tryTake(ticker.read());
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            throw new KeyLookupRefused(Verdict.tooManyUnknownKeys(limits.perSecond(), limits.burst(), seconds),
                    seconds);
        }
        if (!slots.tryAcquire()) {
            budget.refund(ticker.read());
            throw new KeyLookupRefused(Verdict.keyLookupsBusy(), 1);
        }
        return new Permit(budget);
    }

    /** Lookups running now. */
    public int inFlight() {
        return limits.maxInFlight() - slots.availablePermits();
    }

    /**
     * The key a caller's budget is kept under: its IP address, IPv6 addresses cut to their /64 (IPv4-mapped ones are
     * IPv4). Callers whose address is not known share one budget.
     */
    public static String clientOf(String hostAddress) {
        if (hostAddress == null || hostAddress.isBlank()) {
            return "unknown";
        }
        if (hostAddress.indexOf(':') < 0) {
            return hostAddress;
        }
        try {
            // an IPv6 literal: parsed without any name lookup
            InetAddress address = InetAddress.getByName(hostAddress);
            if (address instanceof Inet6Address) {
                byte[] bytes = Arrays.copyOf(address.getAddress(), 16);
                Arrays.fill(bytes, 8, 16, (byte) 0);
                return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            }
            return address.getHostAddress();
        } catch (UnknownHostException | SecurityException e) {
            return hostAddress;
        }
    }

    /** One caller's token bucket; the lock is held for a few arithmetic steps only. */
    private static final class Budget {
        private final double perNano;
        private final int burst;
        private double tokens;
        private long updated;

        Budget(int perSecond, int burst, long now) {
            this.perNano = perSecond / 1e9;
            this.burst = burst;
            this.tokens = burst;
            this.updated = now;
        }

        /** Takes a token and returns 0, or returns the nanoseconds until one will be there. */
        synchronized long tryTake(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
        }

        synchronized void refund(long now) {
            refill(now);
            tokens = Math.min(burst, tokens + 1);
        }

        private void refill(long now) {
            if (now > updated) {
                tokens = Math.min(burst, tokens + (now - updated) * perNano);
                updated = now;
            }
        }
    }
}
