package dev.meridian.common.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import org.jboss.logging.MDC;

/**
 * What an on-call engineer needs to find one call: its request id and tenant, on the current span (attributes
 * {@value #REQUEST_ID_ATTRIBUTE} and {@value #TENANT_ID_ATTRIBUTE}, searchable in any tracing backend) and in the
 * logging context (MDC keys {@value #REQUEST_ID_MDC} and {@value #TENANT_ID_MDC}, beside the {@code traceId} that
 * Quarkus' OpenTelemetry extension puts there), so every log line written while the call is handled carries them.
 * Quarkus keeps both per request (in the request's Vert.x context), also across threads; a call without a recording
 * span (not sampled) still gets the log fields.
 */
public final class CallContext {

    public static final String REQUEST_ID_ATTRIBUTE = "meridian.request_id";
    public static final String TENANT_ID_ATTRIBUTE = "meridian.tenant_id";
    public static final String REQUEST_ID_MDC = "requestId";
    public static final String TENANT_ID_MDC = "tenantId";

    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey(REQUEST_ID_ATTRIBUTE);
    private static final AttributeKey<String> TENANT_ID = AttributeKey.stringKey(TENANT_ID_ATTRIBUTE);

    private CallContext() {
    }

    /** The call's request id (the gateway's {@code X-Request-Id}); nothing when there is none. */
    public static void requestId(String requestId) {
        if (requestId != null && !requestId.isBlank()) {
            Span.current().setAttribute(REQUEST_ID, requestId);
            MDC.put(REQUEST_ID_MDC, requestId);
        }
    }

    /** The tenant the call acts for, once it is known (authenticated); nothing when there is none. */
    public static void tenant(Object tenantId) {
        if (tenantId != null) {
            String id = tenantId.toString();
            Span.current().setAttribute(TENANT_ID, id);
            MDC.put(TENANT_ID_MDC, id);
        }
    }
}
