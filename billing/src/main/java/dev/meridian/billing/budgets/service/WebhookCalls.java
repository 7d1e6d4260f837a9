package dev.meridian.billing.budgets.service;

import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.tenant.TenantSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.faulttolerance.Asynchronous;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.jboss.logging.Logger;

/**
 * Makes one webhook call, signed with the tenant's secret ({@link WebhookSignature}), from a bounded queue with its
 * own workers (SmallRye Fault Tolerance: {@code @Asynchronous} + {@code @Bulkhead}; a full queue refuses the call
 * with a {@code BulkheadException}). The target is checked again before each call ({@link WebhookTargets}) and the
 * connection goes to the address that was checked, with connect, read and overall timeouts, never following
 * redirects. A 2xx answer marks the call delivered; anything else is retried with back-off doubling from 1 s, up to
 * the configured attempts: the retry lives in the delivery's row, so it survives restarts; a refused target is given
 * up at once. The row is claimed ({@code for update skip locked}, then pushed past the call's time limit) before the
 * call, so no two workers or replicas send it at once.
 */
@ApplicationScoped
public class WebhookCalls {

    private static final Logger LOG = Logger.getLogger(WebhookCalls.class);

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    BillingConfig config;
    @Inject
    WebhookTargets targets;
    @Inject
    Vertx vertx;
    @Inject
    Clock clock;

    private WebClient http;

    record Due(UUID id, UUID tenantId, String url, String payload, int attempts, String secret) {
    }

    @PostConstruct
    void start() {
        http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.webhooks().connectTimeout().toMillis())
                .setFollowRedirects(false)
                .setVerifyHost(true)
                .setUserAgent("Meridian-Webhooks"));
    }

    @PreDestroy
    void stop() {
        http.close();
    }

    /**
     * Delivers one due call (nothing when another worker has it or it is no longer due); completes with whether the
     * receiver took it. Returns at once: the call waits in the bulkhead's queue for one of its workers.
     */
    @Asynchronous
    @Bulkhead(value = 4, waitingTaskQueue = 200)
    public CompletionStage<Boolean> deliver(UUID id, UUID tenantId) {
        Due call = claim(id, tenantId);
        if (call == null) {
            return CompletableFuture.completedFuture(false);
        }
        String error;
        boolean permanent = false;
        try {
            error = send(call, targets.check(call.url()));
        } catch (WebhookTargets.Refused e) {
            error = "refused target: " + e.getMessage();
            permanent = true;
        }
        record(call, error, permanent);
        return CompletableFuture.completedFuture(error == null);
    }

    private Due claim(UUID id, UUID tenantId) {
        long holdSeconds = 2 * config.webhooks().callTimeout().toSeconds() + 5;
        return QuarkusTransaction.requiringNew().call(() -> {
            session.bindTenant(tenantId);
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select w.url, w.payload, w.attempts, a.webhook_secret"
                            + " from webhook_deliveries w join accounts a on a.tenant_id = w.tenant_id"
                            + " where w.id = :id and w.tenant_id = :t and w.delivered_at is null"
                            + " and w.next_attempt_at <= now() for update of w skip locked")
                    .setParameter("id", id).setParameter("t", tenantId).getResultList();
            if (rows.isEmpty()) {
                return null;
            }
            em.createNativeQuery("update webhook_deliveries set next_attempt_at = now() + make_interval(secs => :s)"
                            + " where id = :id and tenant_id = :t")
                    .setParameter("s", (double) holdSeconds).setParameter("id", id).setParameter("t", tenantId)
                    .executeUpdate();
            Object[] r = rows.get(0);
            return new Due(id, tenantId, (String) r[0], (String) r[1], ((Number) r[2]).intValue(), (String) r[3]);
        });
    }

    private String send(Due call, WebhookTargets.Target target) {
        if (call.secret() == null) {
            return "the tenant has no webhook secret (webhook removed)";
        }
        long callMillis = config.webhooks().callTimeout().toMillis();
        RequestOptions request = new RequestOptions()
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.https())
                .setURI(target.requestUri())
                .setFollowRedirects(false)
                .putHeader("Content-Type", "application/json")
                .putHeader("Meridian-Webhook-Id", call.id().toString())
                .putHeader(WebhookSignature.HEADER, WebhookSignature.header(call.secret(),
                        clock.instant().getEpochSecond(), call.payload()));
        // connect to the address just checked, not to whatever the name resolves to a moment later
        SocketAddress checked = SocketAddress.inetSocketAddress(new InetSocketAddress(target.addresses().get(0),
                target.port()));
        try {
            HttpResponse<Buffer> response = http.request(HttpMethod.POST, checked, request)
                    .connectTimeout(config.webhooks().connectTimeout().toMillis())
                    .idleTimeout(config.webhooks().readTimeout().toMillis())
                    .timeout(callMillis)
                    .sendBuffer(Buffer.buffer(call.payload()))
                    .toCompletionStage().toCompletableFuture()
                    .get(callMillis + 1_000, TimeUnit.MILLISECONDS);
            return response.statusCode() / 100 == 2 ? null : "answered " + response.statusCode();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return "cannot reach " + call.url() + ": " + cause.getMessage();
        } catch (TimeoutException e) {
            return "no answer from " + call.url() + " within " + config.webhooks().callTimeout();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private void record(Due call, String error, boolean permanent) {
        QuarkusTransaction.requiringNew().run(() -> {
            session.bindTenant(call.tenantId());
            int attempts = call.attempts() + 1;
            boolean giveUp = error != null && (permanent || attempts >= config.alerts().maxAttempts());
            Instant next = clock.instant().plusSeconds(1L << Math.min(attempts - 1, 16));
            em.createNativeQuery("update webhook_deliveries set attempts = :a, last_error = :e,"
                            + " delivered_at = case when :ok then now() end,"
                            + " next_attempt_at = case when :giveUp then 'infinity'::timestamptz else :next end"
                            + " where id = :id and tenant_id = :t")
                    .setParameter("a", attempts).setParameter("e", error).setParameter("ok", error == null)
                    .setParameter("giveUp", giveUp)
                    .setParameter("next", OffsetDateTime.ofInstant(next, ZoneOffset.UTC))
                    .setParameter("id", call.id()).setParameter("t", call.tenantId()).executeUpdate();
            if (giveUp) {
                LOG.warnf("webhook %s of tenant %s given up after %d attempts: %s", call.id(), call.tenantId(),
                        attempts, error);
            }
        });
    }
}
