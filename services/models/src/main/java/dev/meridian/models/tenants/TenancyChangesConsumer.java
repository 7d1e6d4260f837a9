package dev.meridian.models.tenants;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.common.events.TenancyChange;
import dev.meridian.common.kafka.RecordRetry;
import dev.meridian.common.kafka.UnprocessableRecord;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.faulttolerance.api.ApplyGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies tenancy's closures and erasures to this region ({@code mp.messaging.incoming.tenancy-changes.*}): one
 * consumer group per region reads {@code tenancy.changes} from the start and commits after each event is applied, so
 * an erasure announced while the service was down is applied when it comes back. Other event types are skipped. A
 * failure is retried in place (the event is never skipped: an erasure must happen); an unreadable record goes to the
 * dead-letter topic.
 */
@ApplicationScoped
public class TenancyChangesConsumer {

    private static final Logger LOG = Logger.getLogger(TenancyChangesConsumer.class);

    @Inject
    TenantErasure erasure;
    @Inject
    ObjectMapper json;

    @Incoming("tenancy-changes")
    @Blocking
    @ApplyGuard(RecordRetry.GUARD)
    public void handle(String value) {
        TenancyChange change;
        try {
            // tenancy may add event types and fields before this service knows them
            change = json.readerFor(TenancyChange.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(value);
        } catch (IOException e) {
            throw new UnprocessableRecord("not a tenancy change: " + e.getMessage());
        }
        if (change == null || change.type() == null || change.tenantId() == null) {
            throw new UnprocessableRecord("a tenancy change needs type and tenant_id");
        }
        switch (change.type()) {
            case TenancyChange.TENANT_CLOSED -> erasure.close(change.tenantId());
            case TenancyChange.TENANT_ERASED -> erasure.erase(change.tenantId());
            default -> {
                return;
            }
        }
        LOG.debugf("applied %s of tenant %s", change.type(), change.tenantId());
    }
}
