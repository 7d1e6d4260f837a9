package dev.meridian.common.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    record KeyRequest(@NotBlank String name, @NotNull List<String> scopes, Instant expiresAt) {
    }

    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Problem problemOf(String body) {
        var e = catchThrowableOfType(JsonProcessingException.class, () -> json.readValue(body, KeyRequest.class));
        assertThat(e).as("reading %s should fail", body).isNotNull();
        return Problems.unreadableJson(e);
    }

    @Test
    void malformedJsonSaysWhereItBroke() {
        Problem p = problemOf("{\"name\": \"ci\",\n  \"scopes\": [\"models\"");

        assertThat(p.status()).isEqualTo(400);
        assertThat(p.detail()).contains("line 2, column");
    }

    @Test
    void unknownFieldIsNamedWithTheAllowedOnes() {
        Problem p = problemOf("{\"name\": \"ci\", \"scopes\": [], \"colour\": \"red\"}");

        assertThat(p.detail()).contains("`colour`").contains("expires_at, name, scopes");
        assertThat(p.errors()).extracting(Problem.FieldError::field).containsExactly("colour");
    }

    @Test
    void stringWhereAnArrayBelongsNamesTheFieldAndTheExpectedType() {
        Problem p = problemOf("{\"name\": \"ci\", \"scopes\": \"models\"}");

        assertThat(p.detail()).contains("`scopes`").contains("a JSON array");
        assertThat(p.errors()).extracting(Problem.FieldError::field).containsExactly("scopes");
    }

    @Test
    void unreadableTimeNamesTheFieldAndTheFormat() {
        Problem p = problemOf("{\"name\": \"ci\", \"scopes\": [], \"expires_at\": \"tomorrow\"}");

        assertThat(p.detail()).contains("`expires_at`").contains("\"tomorrow\"").contains("ISO-8601");
    }

    @Test
    void bodyThatIsNotAnObjectIsExplained() {
        Problem p = problemOf("[1, 2]");

        assertThat(p.detail()).contains("must be a JSON object");
    }

    record CreateTenant(@NotBlank String name, @NotBlank String homeRegion) {
    }

    static class TenantResource {
        void create(@Valid @NotNull CreateTenant request) {
        }
    }

    @Test
    void validationFailuresListEveryFieldInSnakeCase() throws Exception {
        try (var factory = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()) {
            var method = TenantResource.class.getDeclaredMethod("create", CreateTenant.class);
            var violations = factory.getValidator().forExecutables().validateParameters(new TenantResource(), method,
                    new Object[] {new CreateTenant(" ", null)});

            Problem p = Problems.invalid(violations);

            assertThat(p.errors()).extracting(Problem.FieldError::field).containsExactly("home_region", "name");
            assertThat(p.detail()).contains("`home_region` must not be blank");
        }
    }

    @Test
    void violationPathsBecomeTheFieldsTheCallerSent() {
        assertThat(Problems.fieldOf("create.request.homeRegion")).isEqualTo("home_region");
        assertThat(Problems.fieldOf("lastUsed.report.used[0].keyId")).isEqualTo("used[0].key_id");
        assertThat(Problems.fieldOf("create.request")).isEqualTo("body");
    }
}
