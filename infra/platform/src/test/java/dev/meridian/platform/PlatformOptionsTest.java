package dev.meridian.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PlatformOptionsTest {

    @Test
    void theDefaultIsTheTwoRegionsALaptopCarries() {
        assertThat(PlatformOptions.defaults(Path.of("state")).gatewayPorts())
                .containsExactly(java.util.Map.entry("eu-central", 8080), java.util.Map.entry("us-east", 8082));
    }

    @Test
    void regionsFlagTakesKnownRegionsInTheirStartOrderWithCnNorthOnItsDocumentedPorts() {
        assertThat(PlatformOptions.regions("cn-north, eu-central,us-east"))
                .containsExactly("eu-central", "us-east", "cn-north");
        var options = PlatformOptions.defaults(Path.of("state"), PlatformOptions.regions("eu-central,cn-north"));
        assertThat(options.gatewayPorts()).containsEntry("cn-north", 8084).doesNotContainKey("us-east");
        assertThat(options.inferencePorts()).containsEntry("cn-north", 8094);
        assertThat(options.modelsPorts()).containsEntry("cn-north", 8104);
    }

    @Test
    void anUnknownRegionIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> PlatformOptions.regions("eu-central,ap-south"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ap-south'")
                .hasMessageContaining("eu-central, us-east, cn-north");
    }

    @Test
    void anEmptyOrRepeatedListOrOneWithoutEuCentralIsRefusedSayingWhatToPass() {
        assertThatThrownBy(() -> PlatformOptions.regions(" ")).hasMessageContaining("--regions eu-central,us-east,cn-north");
        assertThatThrownBy(() -> PlatformOptions.regions("eu-central,eu-central")).hasMessageContaining("named twice");
        assertThatThrownBy(() -> PlatformOptions.regions("cn-north"))
                .hasMessageContaining("must include eu-central").hasMessageContaining("--regions eu-central,cn-north");
    }

    @Test
    void onlyCnNorthIsSovereign() {
        assertThat(PlatformOptions.isSovereign("cn-north")).isTrue();
        assertThat(PlatformOptions.isSovereign("eu-central")).isFalse();
        assertThat(PlatformOptions.isSovereign("us-east")).isFalse();
    }
}
