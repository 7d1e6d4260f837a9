package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.common.error.OpenAiError;
import dev.meridian.gateway.apikeys.KeyRecord;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RegionBoundaryTest {

    private static KeyRecord homedIn(String region, String gatewayUrl, boolean sovereign) {
        return new KeyRecord(UUID.randomUUID(), UUID.randomUUID(), "AbCdEfGhIjKl", "hash", List.of("models"), null,
                null, "active", region, gatewayUrl, !sovereign, sovereign, "free", new KeyRecord.RateLimit(5, 10));
    }

    @Test
    void anOrdinaryTenantMayBeForwardedBetweenOrdinaryRegions() {
        assertThat(RegionBoundary.outbound("eu-central", false, homedIn("us-east", "http://us", false))).isEmpty();
        assertThat(RegionBoundary.inbound("us-east", false, "eu-central")).isEmpty();
    }

    @Test
    void aSovereignTenantsCallAtAnotherRegionsGatewayIsRefusedNamingItsOwnGateway() {
        Optional<OpenAiError> refusal = RegionBoundary.outbound("eu-central", false,
                homedIn("cn-north", "http://cn.example:8084", true));
        assertThat(refusal).get().satisfies(e -> {
            assertThat(e.error().code()).isEqualTo("sovereign_region");
            assertThat(e.error().message()).contains("cn-north", "http://cn.example:8084");
        });
    }

    @Test
    void aSovereignRegionsGatewayForwardsNoOtherTenantOutAndNamesTheirHomeGateway() {
        Optional<OpenAiError> refusal = RegionBoundary.outbound("cn-north", true,
                homedIn("eu-central", "http://eu.example:8080", false));
        assertThat(refusal).get().satisfies(e -> {
            assertThat(e.error().code()).isEqualTo("sovereign_region");
            assertThat(e.error().message()).contains("eu-central", "http://eu.example:8080");
        });
    }

    @Test
    void aSovereignRegionsGatewayAcceptsNoForwardedCall() {
        assertThat(RegionBoundary.inbound("cn-north", true, "eu-central")).get()
                .satisfies(e -> assertThat(e.error().message()).contains("cn-north", "eu-central"));
    }

    @Test
    void withoutAGatewayUrlTheRefusalStillNamesTheRegion() {
        assertThat(RegionBoundary.outbound("us-east", false, homedIn("cn-north", null, true))).get()
                .satisfies(e -> assertThat(e.error().message()).contains("the cn-north gateway"));
    }
}
