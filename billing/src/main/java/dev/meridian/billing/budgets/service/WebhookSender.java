package dev.meridian.billing.budgets.service;

import dev.meridian.billing.access.TenantSession;
import dev.meridian.billing.config.BillingConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Delivers due webhook calls, signed with the tenant's secret ({@link WebhookSignature}). A 2xx answer marks the
 * call delivered; anything else is retried with back-off doubling from 1 s, up to the configured attempts.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    EntityManager em;
    @Inject
    TenantSession session;
    @Inject
    BillingConfig config;
    @Inject
    Clock clock;

    record Due(UUID id, UUID tenantId, String url, String payload, int attempts, String secret) {
    }

    /** Sends what is due; returns how many calls were delivered. */
    public int deliverDue() {
        List<Object[]> due = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select id, tenant_id from due_webhooks(50)").getResultList();
            return rows;
        });
        int delivered = 0;
        for (Object[] row : due) {
            UUID id = (UUID) row[0];
            UUID tenant = (UUID) row[1];
            Due call = QuarkusTransaction.requiringNew().call(() -> {
                session.bindTenant(tenant);
                Object[] r = (Object[]) em.createNativeQuery("select w.url, w.payload, w.attempts, a.webhook_secret"
                                + " from webhook_deliveries w join accounts a on a.tenant_id = w.tenant_id"
                                + " where w.id = :id and w.tenant_id = :t")
                        .setParameter("id", id).setParameter("t", tenant).getSingleResult();
                return new Due(id, tenant, (String) r[0], (String) r[1], ((Number) r[2]).intValue(), (String) r[3]);
            });
            String error = send(call);
            QuarkusTransaction.requiringNew().run(() -> {
                session.bindTenant(tenant);
                int attempts = call.attempts() + 1;
                boolean giveUp = error != null && attempts >= config.alerts().maxAttempts();
                Instant next = clock.instant().plusSeconds(1L << Math.min(attempts - 1, 16));
                em.createNativeQuery("update webhook_deliveries set attempts = :a, last_error = :e,"
                                + " delivered_at = case when :ok then now() end,"
                                + " next_attempt_at = case when :giveUp then 'infinity'::timestamptz else :next end"
                                + " where id = :id and tenant_id = :t")
                        .setParameter("a", attempts).setParameter("e", error).setParameter("ok", error == null)
                        .setParameter("giveUp", giveUp)
                        .setParameter("next", OffsetDateTime.ofInstant(next, ZoneOffset.UTC))
                        .setParameter("id", id).setParameter("t", tenant).executeUpdate();
                if (giveUp) {
                    LOG.warnf("webhook %s of tenant %s given up after %d attempts: %s", id, tenant, attempts, error);
                }
            });
            if (error == null) {
                delivered++;
            }
        }
        return delivered;
    }

    private String send(Due call) {
        if (call.secret() == null) {
            return "the tenant has no webhook secret (webhook removed)";
        }
        long now = clock.instant().getEpochSecond();
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(call.url()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Meridian-Webhook-Id", call.id().toString())
                    .header(WebhookSignature.HEADER, WebhookSignature.header(call.secret(), now, call.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(call.payload()))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "answered " + response.statusCode();
        } catch (java.io.IOException e) {
            return "cannot reach " + call.url() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
