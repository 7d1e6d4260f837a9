package dev.meridian.billing.reconciliation.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.billing.config.BillingConfig;
import dev.meridian.common.auth.ServiceToken;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    BillingConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    EntityManager em;
    @Inject
    ServiceToken token;

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
            } catch (RuntimeException | IOException e) {
                unreachable.put(gateway.getKey(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unreachable.put(gateway.getKey(), "interrupted");
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

    private JsonNode ask(String baseUrl, Instant from, Instant to) throws IOException, InterruptedException {
        String url = baseUrl + "/internal/v1/served-requests?from=" + enc(from) + "&to=" + enc(to);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token.get().await().atMost(Duration.ofSeconds(10)))
                .header("Accept", "application/json")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    private static String enc(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
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
