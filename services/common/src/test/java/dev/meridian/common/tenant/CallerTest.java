package dev.meridian.common.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.common.apikey.Scope;
import dev.meridian.common.error.ApiException;
import dev.meridian.common.error.OpenAiError;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class CallerTest {

    private static final UUID TENANT = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static final UUID KEY = UUID.fromString("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    private static Map<String, String> gateway() {
        Map<String, String> h = new HashMap<>();
        h.put(MeridianHeaders.TENANT_ID, TENANT.toString());
        h.put(MeridianHeaders.KEY_ID, KEY.toString());
        h.put(MeridianHeaders.SCOPES, "inference,billing:read");
        h.put(MeridianHeaders.REGION, "us-east");
        h.put(MeridianHeaders.HOME_REGION, "eu-central");
        h.put(MeridianHeaders.REQUEST_ID, "req-1");
        return h;
    }

    private static ApiException refusal(Map<String, String> headers) {
        return catchThrowableOfType(ApiException.class, () -> Caller.parse(headers::get));
    }

    @Test
    void theGatewaysHeadersBecomeDomainTypes() {
        Caller caller = Caller.parse(gateway()::get).orElseThrow();

        assertThat(caller.tenantId()).isEqualTo(TENANT);
        assertThat(caller.keyId()).contains(KEY);
        assertThat(caller.scopes()).containsExactlyInAnyOrder(Scope.INFERENCE, Scope.BILLING_READ);
        assertThat(caller.region()).contains("us-east");
        assertThat(caller.homeRegion()).contains("eu-central");
        assertThat(caller.requestId()).contains("req-1");
    }

    @Test
    void scopesMayBeSeparatedBySpacesAndAbsentHeadersAreEmpty() {
        Caller caller = Caller.parse(Map.of(MeridianHeaders.TENANT_ID, " " + TENANT + " ",
                MeridianHeaders.SCOPES, "models fine-tune")::get).orElseThrow();

        assertThat(caller.scopes()).containsExactlyInAnyOrder(Scope.MODELS, Scope.FINE_TUNE);
        assertThat(caller.keyId()).isEmpty();
        assertThat(caller.homeRegion()).isEmpty();
    }

    @Test
    void aCallWithoutTenantHasNoCaller() {
        var headers = gateway();
        headers.put(MeridianHeaders.TENANT_ID, " ");

        assertThat(Caller.parse(headers::get)).isEmpty();
        headers.remove(MeridianHeaders.TENANT_ID);
        assertThat(Caller.parse(headers::get)).isEmpty();
    }

    @Test
    void aMalformedTenantIdIsA400NamingTheHeader() {
        var headers = gateway();
        headers.put(MeridianHeaders.TENANT_ID, "tenant-1");

        ApiException e = refusal(headers);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_tenant");
        assertThat(e.getMessage()).contains(MeridianHeaders.TENANT_ID, "'tenant-1'", "not a UUID");
    }

    @Test
    void aMalformedKeyIdIsA400() {
        var headers = gateway();
        headers.put(MeridianHeaders.KEY_ID, "12345");

        ApiException e = refusal(headers);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_key_id");
        assertThat(e.getMessage()).contains(MeridianHeaders.KEY_ID);
    }

    @Test
    void anUnknownScopeIsA400ListingTheKnownOnes() {
        var headers = gateway();
        headers.put(MeridianHeaders.SCOPES, "inference,superuser");

        ApiException e = refusal(headers);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_scopes");
        assertThat(e.getMessage()).contains("'superuser'", Scope.wireNames());
    }

    @Test
    void refusalsReadAsOpenAiErrorsAndAsProblems() {
        var headers = gateway();
        headers.put(MeridianHeaders.TENANT_ID, "x");
        ApiException e = refusal(headers);

        assertThat(OpenAiError.of(e).error().type()).isEqualTo("invalid_request_error");
        assertThat(OpenAiError.of(e).error().code()).isEqualTo("invalid_tenant");
        assertThat(e.toProblem().status()).isEqualTo(400);
        assertThat(e.toProblem().title()).isEqualTo("Bad Request");
    }

    @Test
    void aKeyWithoutTheScopeIsRefusedWith403() {
        Caller caller = Caller.parse(gateway()::get).orElseThrow();

        assertThat(caller.requireScope(Scope.INFERENCE, "Embedding")).isSameAs(caller);
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> caller.requireScope(Scope.MODELS, "Changing models"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(OpenAiError.of(e).error().type()).isEqualTo("permission_error");
        assertThat(e.getMessage()).isEqualTo("Changing models needs an API key with the scope models.");
    }

    @Test
    void contentIsServedOnlyInTheHomeRegionTheGatewayAsserted() {
        Caller caller = Caller.parse(gateway()::get).orElseThrow();

        assertThat(caller.requireHomeRegion("eu-central", "model registry")).isSameAs(caller);
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> caller.requireHomeRegion("us-east", "model registry"));
        assertThat(e.status()).isEqualTo(421);
        assertThat(e.code()).isEqualTo("wrong_region");
        assertThat(e.getMessage()).contains("us-east model registry", "(eu-central)");
        var noHome = new Caller(TENANT, Optional.empty(), java.util.Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty());
        assertThat(catchThrowableOfType(ApiException.class, () -> noHome.requireHomeRegion("us-east", "registry"))
                .status()).isEqualTo(421);
    }
}
