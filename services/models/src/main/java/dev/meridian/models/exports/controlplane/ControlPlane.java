package dev.meridian.models.exports.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.error.ApiException;
import dev.meridian.models.exports.config.ExportsConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The control plane's records of a tenant that its export holds (members, API key metadata, audit trail from
 * tenancy; hourly usage and invoices from billing), written as JSON Lines; and the export's own audit events. Only
 * metadata and usage figures cross from the control plane into the region, as the residency rules allow.
 */
@ApplicationScoped
public class ControlPlane {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);
    static final int AUDIT_PAGE = 500;

    @Inject
    ExportsConfig config;
    @Inject
    ObjectMapper json;

    private Optional<TenancyExportApi> tenancy = Optional.empty();
    private Optional<BillingExportApi> billing = Optional.empty();

    @PostConstruct
    void init() {
        tenancy = config.tenancyUrl().map(url -> client(url, TenancyExportApi.class));
        billing = config.billingUrl().map(url -> client(url, BillingExportApi.class));
        if (!configured()) {
            LOG.warn("meridian.models.exports.tenancy-url or billing-url is not set: this region takes no tenant"
                    + " export requests");
        }
    }

    private static <T> T client(String url, Class<T> api) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url.replaceAll("/+$", "")))
                .connectTimeout(2, TimeUnit.SECONDS).readTimeout(60, TimeUnit.SECONDS).build(api);
    }

    /** Whether exports can be built here: both control-plane services are configured. */
    public boolean configured() {
        return tenancy.isPresent() && billing.isPresent();
    }

    /**
     * Records {@code action} on the export in the tenant's audit trail, as done by the member {@code memberId}; 503
     * when tenancy cannot record it (the caller then does not do what was to be audited).
     */
    public void audit(UUID tenantId, String memberId, String action, String exportId, Map<String, Object> details) {
        var event = new LinkedHashMap<String, Object>();
        event.put("member_id", memberId);
        event.put("action", action);
        event.put("export_id", exportId);
        event.put("details", details);
        try {
            tenancy().record(tenantId, event);
        } catch (RuntimeException e) {
            LOG.warnf("recording %s of export %s in tenancy's audit log failed: %s", action, exportId, e.toString());
            throw ApiException.unavailable("Meridian could not record this in the tenant's audit log just now, so it"
                    + " was not done. Retry in a few seconds.");
        }
    }

    public int members(UUID tenantId, OutputStream out) throws IOException {
        return lines(tenancy().members(tenantId).path("data"), out);
    }

    public int apiKeys(UUID tenantId, OutputStream out) throws IOException {
        return lines(tenancy().apiKeys(tenantId).path("data"), out);
    }

    /** The whole audit trail, oldest first, a page at a time. */
    public int auditEvents(UUID tenantId, OutputStream out) throws IOException {
        int count = 0;
        String after = null;
        do {
            JsonNode page = tenancy().auditEvents(tenantId, after, AUDIT_PAGE);
            count += lines(page.path("data"), out);
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return count;
    }

    public int usageHourly(UUID tenantId, OutputStream out) throws IOException {
        return lines(billing().usageHourly(tenantId).path("data"), out);
    }

    public int invoices(UUID tenantId, OutputStream out) throws IOException {
        return lines(billing().invoices(tenantId).path("data"), out);
    }

    private int lines(JsonNode array, OutputStream out) throws IOException {
        if (!array.isArray()) {
            throw new IOException("the control plane answered no list of records");
        }
        for (JsonNode record : array) {
            out.write(json.writeValueAsBytes(record));
            out.write('\n');
        }
        return array.size();
    }

    private TenancyExportApi tenancy() {
        return tenancy.orElseThrow(() -> new IllegalStateException("meridian.models.exports.tenancy-url is not set"));
    }

    private BillingExportApi billing() {
        return billing.orElseThrow(() -> new IllegalStateException("meridian.models.exports.billing-url is not set"));
    }
}
