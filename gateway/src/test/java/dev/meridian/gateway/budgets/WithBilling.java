package dev.meridian.gateway.budgets;

import dev.meridian.gateway.metering.StandInInference;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** A gateway with billing (the stand-in) and a regional inference service (the stand-in). */
public class WithBilling implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("meridian.gateway.gateway-id", "eu-central-budgets");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(StandInBilling.class), new TestResourceEntry(StandInInference.class));
    }
}
