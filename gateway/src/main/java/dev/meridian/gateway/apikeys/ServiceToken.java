package dev.meridian.gateway.apikeys;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's own client-credentials token (client {@code meridian-gateway}) for calls to tenancy and to other
 * regions' gateways. Fetched once and reused until it is about to expire; concurrent callers share one refresh.
 */
@ApplicationScoped
public class ServiceToken {

    @Inject
    OidcClient client;

    private final AtomicReference<CompletableFuture<Tokens>> current = new AtomicReference<>();

    public CompletionStage<String> get() {
        CompletableFuture<Tokens> f = current.get();
        if (f == null || (f.isDone() && (f.isCompletedExceptionally() || expiring(f.join())))) {
            CompletableFuture<Tokens> next = client.getTokens().subscribeAsCompletionStage();
            if (current.compareAndSet(f, next)) {
                f = next;
            } else {
                f = current.get();
            }
        }
        return f.thenApply(Tokens::getAccessToken);
    }

    private static boolean expiring(Tokens t) {
        Long expiresAt = t.getAccessTokenExpiresAt();
        return expiresAt == null ? t.isAccessTokenExpired() : expiresAt - 30 < System.currentTimeMillis() / 1000;
    }
}
