package dev.meridian.inference.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.meridian.testing.OnnxModels;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The memory-aware LRU, with real ONNX Runtime sessions of tiny models (y = x + k). */
class SessionCacheTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final AtomicInteger loads = new AtomicInteger();

    private SessionCache.Loader adder(float k, long bytes) {
        return () -> {
            loads.incrementAndGet();
            return new SessionCache.Loaded(ENV.createSession(OnnxModels.addConstant(k), new OrtSession.SessionOptions()),
                    bytes);
        };
    }

    private static float run(OrtSession session, float x) throws Exception {
        try (var in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[] {x}), new long[] {1, 1});
                var out = session.run(Map.of("x", in))) {
            return ((float[][]) out.get(0).getValue())[0][0];
        }
    }

    private static float call(SessionCache cache, String key, SessionCache.Loader loader, float x) throws Exception {
        try (var lease = cache.acquire(key, loader)) {
            return run(lease.session(), x);
        }
    }

    @Test
    void leastRecentlyUsedSessionsGoFirstAndEveryModelIsStillServed() throws Exception {
        var cache = new SessionCache(250);
        assertThat(call(cache, "a", adder(1, 100), 1)).isEqualTo(2f);
        assertThat(call(cache, "b", adder(2, 100), 1)).isEqualTo(3f);
        assertThat(call(cache, "a", adder(1, 100), 1)).isEqualTo(2f); // a is now the most recent
        assertThat(call(cache, "c", adder(3, 100), 1)).isEqualTo(4f); // over budget: b goes
        assertThat(cache.holds("a")).isTrue();
        assertThat(cache.holds("b")).isFalse();
        assertThat(cache.holds("c")).isTrue();
        assertThat(call(cache, "b", adder(2, 100), 5)).isEqualTo(7f); // loaded again, a goes
        var stats = cache.stats();
        assertThat(stats.sessions()).isEqualTo(2);
        assertThat(stats.usedBytes()).isEqualTo(200).isLessThanOrEqualTo(stats.budgetBytes());
        assertThat(stats.loads()).isEqualTo(4);
        assertThat(stats.hits()).isEqualTo(1);
        assertThat(stats.evictions()).isEqualTo(2);
        assertThat(loads).hasValue(4);
        cache.close();
    }

    @Test
    void aSessionInUseIsClosedOnlyWhenItsCallEnds() throws Exception {
        var cache = new SessionCache(100);
        var lease = cache.acquire("a", adder(1, 100));
        assertThat(call(cache, "b", adder(2, 100), 1)).isEqualTo(3f); // evicts a while it is leased
        assertThat(cache.holds("a")).isFalse();
        OrtSession a = lease.session();
        assertThat(run(a, 1)).isEqualTo(2f); // still usable by the call holding it
        lease.close();
        assertThatThrownBy(() -> run(a, 1)).isInstanceOf(IllegalStateException.class);
        cache.close();
    }

    @Test
    void aModelLargerThanTheBudgetIsServedAlone() throws Exception {
        var cache = new SessionCache(100);
        assertThat(call(cache, "a", adder(1, 50), 0)).isEqualTo(1f);
        assertThat(call(cache, "huge", adder(9, 500), 0)).isEqualTo(9f);
        assertThat(cache.stats().sessions()).isEqualTo(1);
        assertThat(cache.holds("huge")).isTrue();
        cache.close();
    }

    @Test
    void evictingAModelDropsOnlyItsSessions() throws Exception {
        var cache = new SessionCache(1000);
        call(cache, "t1/m/1/x", adder(1, 10), 0);
        call(cache, "t1/m/2/y", adder(2, 10), 0);
        call(cache, "t1/other/1/z", adder(3, 10), 0);
        cache.evictIf(k -> k.startsWith("t1/m/"));
        assertThat(cache.holds("t1/m/1/x")).isFalse();
        assertThat(cache.holds("t1/m/2/y")).isFalse();
        assertThat(cache.holds("t1/other/1/z")).isTrue();
        assertThat(cache.stats().usedBytes()).isEqualTo(10);
        cache.close();
    }

    @Test
    void aFailedLoadIsNotCachedAndIsRetried() throws Exception {
        var cache = new SessionCache(1000);
        assertThatThrownBy(() -> cache.acquire("a", () -> {
            throw new IllegalStateException("blob missing");
        })).hasMessage("blob missing");
        assertThat(call(cache, "a", adder(1, 10), 1)).isEqualTo(2f);
        cache.close();
    }
}
