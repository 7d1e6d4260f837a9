package dev.meridian.billing.access;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.ServerErrorException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Billing's calls to tenancy, each under a timeout, one retry and a circuit breaker (SmallRye Fault Tolerance; they
 * act because {@link TenancyClient} calls these methods through the CDI proxy). A refusal (4xx,
 * {@link ClientErrorException}) is an answer: never retried, and a success for the circuit breaker. A failure (no
 * connection, no answer in time, 5xx) is retried once; once half of the last four attempts of a call failed, its
 * circuit opens and for five seconds that call fails at once ({@code CircuitBreakerOpenException}) instead of making
 * every console request wait for a tenancy that is down. {@link TenancyClient} turns what is left into a 503.
 *
 * <p>The numbers (times in milliseconds), each overridable per method or for the class with SmallRye's keys, e.g.
 * {@code quarkus.fault-tolerance."dev.meridian.billing.access.TenancyCalls".timeout.value=3000} or
 * {@code quarkus.fault-tolerance."dev.meridian.billing.access.TenancyCalls/partnerDirectory".timeout.value=10000}:
 * <ul>
 *   <li>timeout 3 s per attempt: tenancy answers these reads from an indexed row in milliseconds, so 3 s means a
 *       tenancy in trouble even on a loaded machine, and a console request that meets a hung tenancy hears so within
 *       about 6 s (two attempts). The whole partner directory, read by the period-close job and by no user, gets
 *       10 s;</li>
 *   <li>one retry after 100 ms (± 50): enough for a dropped keep-alive connection or a tenancy replica being
 *       replaced; more would only lengthen the wait when tenancy is down, which the circuit breaker handles;</li>
 *   <li>circuit breaker: a window of 4 attempts (2 failed console requests) and a failure ratio of 0.5, so an outage
 *       costs two slow answers, while one failed attempt among successes does not open it; open for 5 s, about the
 *       time a user takes to retry, then one trial call decides.</li>
 * </ul>
 */
@ApplicationScoped
@Timeout(3000)
@Retry(maxRetries = 1, delay = 100, jitter = 50,
        retryOn = { ProcessingException.class, ServerErrorException.class, TimeoutException.class })
@CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.5, delay = 5000,
        skipOn = ClientErrorException.class)
public class TenancyCalls {

    @Inject
    @RestClient
    TenancyApi api;
    @Inject
    @RestClient
    PartnerDirectoryApi directory;

    /** {@code GET /api/v1/tenants/{t}} with the caller's token. */
    public JsonNode tenant(String bearerToken, UUID tenantId) {
        return api.tenant("Bearer " + bearerToken, tenantId);
    }

    /** {@code GET /api/v1/partners/{p}} with the caller's token. */
    public JsonNode partner(String bearerToken, UUID partnerId) {
        return api.partner("Bearer " + bearerToken, partnerId);
    }

    /** {@code GET /internal/v1/partners/{p}} with billing's service token. */
    public JsonNode partnerEntry(UUID partnerId) {
        return directory.partner(partnerId);
    }

    /** {@code GET /internal/v1/partners} with billing's service token. */
    @Timeout(10_000)
    public JsonNode partnerDirectory() {
        return directory.partners();
    }

    /**
     * What the REST clients throw for an answer of 400 or more: a refusal ({@link ClientErrorException}) for 4xx, a
     * failure ({@link ServerErrorException}) for 5xx, which the fault tolerance above tells apart.
     */
    static WebApplicationException exceptionOf(Response response) {
        return switch (response.getStatusInfo().getFamily()) {
            case CLIENT_ERROR -> new ClientErrorException(response);
            case SERVER_ERROR -> new ServerErrorException(response);
            default -> new WebApplicationException(response);
        };
    }
}
