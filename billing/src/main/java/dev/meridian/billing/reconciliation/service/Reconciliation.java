package dev.meridian.billing.reconciliation.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.billing.config.BillingConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.WebApplicationException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Compares what the gateways say they served ({@code GET /internal/v1/served-requests} on each configured gateway,
 * with billing's service token) with the {@code requests} billed, per tenant and hour, and reports every difference.
 * A gateway that cannot be asked makes the report incomplete rather than wrong: it is named and nothing is compared
 * as if it had served nothing.
 */
@ApplicationScoped
public class Reconciliation {

    private static final Logger LOG = Logger.getLogger(Reconciliation.class);

    public record Difference(UUID tenantId, Instant hour, long served, long billed, long difference) {
    }

    public record Report(String object, Instant from, Instant to, List<String> gatewaysAsked,
            Map<String, String> unreachableGateways, boolean complete, long servedTotal, long billedTotal,
            List<Difference> differences) {
    }

    private record Cell(UUID tenantId, Instant hour) {
    }

    /** One client per gateway base URL, built on first use and kept (the gateways are fixed by configuration). */
    private final Map<String, ServedRequestsApi> clients = new ConcurrentHashMap<>();

    @Inject
    BillingConfig config;
    @Inject
    EntityManager em;

    public Report reconcile(Instant from, Instant to) {
        Map<Cell, Long> served = new HashMap<>();
        Map<String, String> unreachable = new TreeMap<>();
        List<String> asked = new ArrayList<>();
        for (var gateway : new TreeMap<>(config.reconciliation().gateways()).entrySet()) {
            asked.add(gateway.getKey());
            try {
                JsonNode body = ask(gateway.getValue(), from, to);
                for (JsonNode h : body.path("hours")) {
                    Cell cell = new Cell(UUID.fromString(h.path("tenant_id").asText()),
                            Instant.parse(h.path("hour").asText()));
                    served.merge(cell, h.path("requests").asLong(), Long::sum);
                }
            } catch (WebApplicationException e) {
                unreachable.put(gateway.getKey(), gateway.getValue() + " answered " + e.getResponse().getStatus());
            } catch (RuntimeException e) {
                unreachable.put(gateway.getKey(), e.getMessage());
            }
        }
        Map<Cell, Long> billed = QuarkusTransaction.requiringNew().call(() -> {
            Map<Cell, Long> out = new HashMap<>();
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select tenant_id, hour, requests from billed_requests(:f, :t)")
                    .setParameter("f", OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                    .setParameter("t", OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                    .getResultList();
            for (Object[] r : rows) {
                out.put(new Cell((UUID) r[0], instant(r[1])), ((Number) r[2]).longValue());
            }
            return out;
        });
        Set<Cell> cells = new HashSet<>(served.keySet());
        cells.addAll(billed.keySet());
        List<Difference> differences = cells.stream()
                .map(c -> new Difference(c.tenantId(), c.hour(), served.getOrDefault(c, 0L),
                        billed.getOrDefault(c, 0L), served.getOrDefault(c, 0L) - billed.getOrDefault(c, 0L)))
                .filter(d -> d.difference() != 0)
                .sorted(Comparator.comparing(Difference::hour).thenComparing(Difference::tenantId))
                .toList();
        long servedTotal = served.values().stream().mapToLong(Long::longValue).sum();
        long billedTotal = billed.values().stream().mapToLong(Long::longValue).sum();
        Report report = new Report("reconciliation", from, to, asked, unreachable, unreachable.isEmpty(), servedTotal,
                billedTotal, differences);
        if (!differences.isEmpty() || !unreachable.isEmpty()) {
            LOG.warnf("reconciliation %s..%s: %d tenant-hours differ (served %d, billed %d)%s", from, to,
                    differences.size(), servedTotal, billedTotal,
                    unreachable.isEmpty() ? "" : "; incomplete, gateways not asked: " + unreachable.keySet());
        } else {
            LOG.infof("reconciliation %s..%s: served and billed agree (%d requests)", from, to, billedTotal);
        }
        return report;
    }

    private JsonNode ask(String baseUrl, Instant from, Instant to) {
        return clients.computeIfAbsent(baseUrl, Reconciliation::client).servedRequests(from.toString(), to.toString());
    }

    /**
     * A gateway's client. The OIDC client filter of {@link ServedRequestsApi} applies here too: Quarkus turns
     * {@code @OidcClientFilter} into a provider registered for the interface at build time, which every builder of it
     * registers (RestClientBuilderImpl#build), so no filter is registered by hand. 3 s to connect and 10 s for the
     * answer: the reconciliation runs in the background, where a slow gateway only delays the hourly report.
     */
    private static ServedRequestsApi client(String baseUrl) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(baseUrl))
                .connectTimeout(3, TimeUnit.SECONDS).readTimeout(10, TimeUnit.SECONDS)
                .build(ServedRequestsApi.class);
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case Instant i -> i;
            case OffsetDateTime o -> o.toInstant();
            case java.sql.Timestamp t -> t.toInstant();
            default -> throw new IllegalStateException("unexpected time type " + value.getClass());
        };
    }
}
