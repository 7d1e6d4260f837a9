package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopesTest {

    @Test
    void modelListingTakesModelsOrInference() {
        assertThat(Scopes.allows(List.of("models"), "/v1/models")).isTrue();
        assertThat(Scopes.allows(List.of("inference"), "/v1/models/x")).isTrue();
        assertThat(Scopes.allows(List.of("billing:read"), "/v1/models")).isFalse();
    }

    @Test
    void changingModelsAndUploadingNeedTheModelsScope() {
        assertThat(Scopes.allows(List.of("inference"), "POST", "/v1/models")).isFalse();
        assertThat(Scopes.allows(List.of("inference"), "DELETE", "/v1/models/m")).isFalse();
        assertThat(Scopes.allows(List.of("inference"), "POST", "/v1/models/m/versions/1/deploy")).isFalse();
        assertThat(Scopes.allows(List.of("inference"), "GET", "/v1/models/m/versions")).isTrue();
        assertThat(Scopes.allows(List.of("models"), "POST", "/v1/models")).isTrue();
        assertThat(Scopes.allows(List.of("inference"), "POST", "/v1/uploads")).isFalse();
        assertThat(Scopes.allows(List.of("models"), "POST", "/v1/uploads/u/parts")).isTrue();
        assertThat(Scopes.required("POST", "/v1/models")).contains(java.util.Set.of("models"));
    }

    @Test
    void fineTuningNeedsItsOwnScope() {
        assertThat(Scopes.allows(List.of("inference", "models"), "/v1/fine_tuning/jobs")).isFalse();
        assertThat(Scopes.allows(List.of("fine-tune"), "/v1/files")).isTrue();
    }

    @Test
    void embeddingsAndOipNeedInference() {
        assertThat(Scopes.allows(List.of("models"), "/v1/embeddings")).isFalse();
        assertThat(Scopes.allows(List.of("inference"), "/v2/models/x/infer")).isTrue();
    }

    @Test
    void chatAndTextCompletionsNeedInferenceAndAreServedByInferenceAsGenerativeRoutes() {
        for (String path : java.util.List.of("/v1/chat/completions", "/v1/completions")) {
            assertThat(Scopes.allows(List.of("inference"), "POST", path)).as(path).isTrue();
            assertThat(Scopes.allows(List.of("models", "fine-tune"), "POST", path)).as(path).isFalse();
            assertThat(Scopes.servedBy(path)).as(path).containsExactly(Scopes.Service.INFERENCE);
            assertThat(Scopes.generative(path)).as(path).isTrue();
        }
        assertThat(Scopes.required("/v1/chat")).isEmpty();
        assertThat(Scopes.required("/v1/chat/completionsx")).isEmpty();
        assertThat(Scopes.generative("/v1/embeddings")).isFalse();
    }

    @Test
    void aKeyWithNoScopesMayCallNoScopedRoute() {
        assertThat(Scopes.allows(List.of(), "/v1/models")).isFalse();
    }

    @Test
    void aPathNoRuleNamesIsNotARouteAndAllowsNothing() {
        assertThat(Scopes.required("/v1/unknown")).isEmpty();
        assertThat(Scopes.allows(List.of(), "/v1/unknown")).isFalse();
        assertThat(Scopes.allows(List.of("inference", "models", "fine-tune"), "/v1/served-requests")).isFalse();
    }

    @Test
    void aRuleNamesItsPathAndWhatIsBelowItNotWhatMerelyStartsAlike() {
        assertThat(Scopes.required("/v1/models")).isPresent();
        assertThat(Scopes.required("/v1/models/m/versions")).isPresent();
        assertThat(Scopes.required("/v1/modelsx")).isEmpty();
        assertThat(Scopes.required("/v1/embeddingsx")).isEmpty();
        assertThat(Scopes.required("/v2")).isPresent();
        assertThat(Scopes.required("/v2x")).isEmpty();
    }

    @Test
    void theTableNamesTheServiceOfEveryRouteAndNoneForAPathItDoesNotName() {
        for (String prefix : Scopes.prefixes()) {
            assertThat(Scopes.servedBy(prefix)).as(prefix).isNotEmpty();
        }
        assertThat(Scopes.servedBy("/v1/models/m/versions")).containsExactly(Scopes.Service.MODELS,
                Scopes.Service.INFERENCE, Scopes.Service.CATALOG);
        assertThat(Scopes.servedBy("/v1/fine_tuning/jobs")).containsExactly(Scopes.Service.MODELS);
        assertThat(Scopes.servedBy("/v2/models/m/infer")).containsExactly(Scopes.Service.INFERENCE);
        assertThat(Scopes.servedBy("/v1/served-requests")).isEmpty();
    }
}
