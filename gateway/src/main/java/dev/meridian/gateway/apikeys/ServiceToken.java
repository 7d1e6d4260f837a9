package dev.meridian.gateway.apikeys;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's own client-credentials token (client {@code meridian-gateway}) for calls to tenancy, to other
 * regions' gateways and to regional services. Fetched once and reused; when it has less than
 * {@link #REFRESH_AHEAD_SECONDS} left a new one is fetched in the background while the current one is still handed
 * out, so requests wait for Keycloak only when there is no valid token at all. Concurrent callers share one fetch.
 */
@ApplicationScoped
public class ServiceToken {

    static final long REFRESH_AHEAD_SECONDS = 30;

    @Inject
    OidcClient client;

    private final AtomicReference<CompletableFuture<Tokens>> current = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Tokens>> refreshing = new AtomicReference<>();

    public CompletionStage<String> get() {
        CompletableFuture<Tokens> f = current.get();
        if (f == null || f.isCompletedExceptionally()) {
            return replace(f).thenApply(Tokens::getAccessToken);
        }
        if (!f.isDone()) {
            return f.thenApply(Tokens::getAccessToken);
        }
        Tokens tokens = f.join();
        long now = System.currentTimeMillis() / 1000;
        Long expiresAt = tokens.getAccessTokenExpiresAt();
        if (expiresAt == null) {
            return CompletableFuture.completedFuture(tokens.getAccessToken()); // Keycloak set no expiry
        }
        if (expiresAt <= now) {
            return replace(f).thenApply(Tokens::getAccessToken);
        }
        if (expiresAt - REFRESH_AHEAD_SECONDS <= now) {
            refreshInBackground(f);
        }
        return CompletableFuture.completedFuture(tokens.getAccessToken());
    }

    /** Starts a fetch unless another caller did first; returns whichever fetch is now current. */
    private CompletableFuture<Tokens> replace(CompletableFuture<Tokens> seen) {
        var next = new CompletableFuture<Tokens>();
        if (!current.compareAndSet(seen, next)) {
            return current.get();
        }
        fetchInto(next);
        return next;
    }

    private void refreshInBackground(CompletableFuture<Tokens> seen) {
        var next = new CompletableFuture<Tokens>();
        if (!refreshing.compareAndSet(null, next)) {
            return;
        }
        fetchInto(next);
        next.whenComplete((tokens, failure) -> {
            if (failure == null) {
                current.compareAndSet(seen, next);
            }
            refreshing.set(null);
        });
    }

    private void fetchInto(CompletableFuture<Tokens> target) {
        client.getTokens().subscribe().with(target::complete, target::completeExceptionally);
    }
}
