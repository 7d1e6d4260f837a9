package dev.meridian.inference.tenant;

import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * ONNX Runtime sessions of tenant models within a memory budget: each session counts its estimated bytes, and when
 * a load would pass the budget the least recently used sessions are closed first. A session is closed only once no
 * call is running on it ({@link Lease}); a session larger than the whole budget is still served, alone. Loads of the
 * same key are shared, so a burst of first calls loads a model once.
 */
public final class SessionCache implements AutoCloseable {

    /** Opens a session and says how many bytes it is estimated to hold. */
    @FunctionalInterface
    public interface Loader {
        Loaded load() throws Exception;
    }

    public record Loaded(OrtSession session, long estimatedBytes) {
    }

    /** Counters for operators and tests. */
    public record Stats(long budgetBytes, long usedBytes, int sessions, long loads, long hits, long evictions) {
    }

    /** A session in use by one call; close it when the call is done. */
    public final class Lease implements AutoCloseable {
        private final Held held;
        private boolean released;

        private Lease(Held held) {
            this.held = held;
        }

        public OrtSession session() {
            return held.loaded.session();
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            synchronized (SessionCache.this) {
                held.users--;
                if (held.evicted && held.users == 0) {
                    closeQuietly(held);
                }
            }
        }
    }

    private static final class Held {
        final Loaded loaded;
        int users;
        boolean evicted;

        Held(Loaded loaded) {
            this.loaded = loaded;
        }
    }

    private final long budgetBytes;
    /** Access-ordered: iteration starts at the least recently used. */
    private final LinkedHashMap<String, Held> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<Held>> loading = new java.util.HashMap<>();
    private long usedBytes;
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    public SessionCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The session for {@code key}, loading it with {@code loader} (and evicting others) when needed. */
    public Lease acquire(String key, Loader loader) throws Exception {
        CompletableFuture<Held> pending;
        boolean mine = false;
        synchronized (this) {
            Held held = sessions.get(key);
            if (held != null) {
                held.users++;
                hits.incrementAndGet();
                return new Lease(held);
            }
            pending = loading.get(key);
            if (pending == null) {
                pending = new CompletableFuture<>();
                loading.put(key, pending);
                mine = true;
            }
        }
        if (mine) {
            try {
                Held held = new Held(loader.load());
                loads.incrementAndGet();
                synchronized (this) {
                    makeRoom(held.loaded.estimatedBytes());
                    sessions.put(key, held);
                    usedBytes += held.loaded.estimatedBytes();
                    loading.remove(key);
                }
                pending.complete(held);
            } catch (Exception | Error e) {
                synchronized (this) {
                    loading.remove(key);
                }
                pending.completeExceptionally(e);
                throw e;
            }
        }
        Held held;
        try {
            held = pending.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        synchronized (this) {
            if (held.evicted) {
                // Evicted between its load and this call taking it: load again rather than use a closing session.
                return acquireAgain(key, loader);
            }
            held.users++;
            sessions.get(key); // touch: most recently used
            return new Lease(held);
        }
    }

    private Lease acquireAgain(String key, Loader loader) throws Exception {
        return acquire(key, loader);
    }

    private void makeRoom(long needed) {
        Iterator<Map.Entry<String, Held>> it = sessions.entrySet().iterator();
        while (usedBytes + needed > budgetBytes && it.hasNext()) {
            Held victim = it.next().getValue();
            it.remove();
            evict(victim);
        }
    }

    private void evict(Held victim) {
        usedBytes -= victim.loaded.estimatedBytes();
        victim.evicted = true;
        evictions.incrementAndGet();
        if (victim.users == 0) {
            closeQuietly(victim);
        }
    }

    /** Drops the sessions whose keys match, e.g. every version of a deleted model. */
    public synchronized void evictIf(Predicate<String> keys) {
        List<String> gone = new ArrayList<>();
        sessions.keySet().stream().filter(keys).forEach(gone::add);
        for (String k : gone) {
            evict(sessions.remove(k));
        }
    }

    public synchronized Stats stats() {
        return new Stats(budgetBytes, usedBytes, sessions.size(), loads.get(), hits.get(), evictions.get());
    }

    public synchronized boolean holds(String key) {
        return sessions.containsKey(key);
    }

    private static void closeQuietly(Held held) {
        try {
            held.loaded.session().close();
        } catch (Exception e) {
            // closing a session frees native memory; a failure here leaves nothing to do
        }
    }

    @Override
    public synchronized void close() {
        sessions.values().forEach(h -> {
            h.evicted = true;
            if (h.users == 0) {
                closeQuietly(h);
            }
        });
        sessions.clear();
        usedBytes = 0;
    }
}
