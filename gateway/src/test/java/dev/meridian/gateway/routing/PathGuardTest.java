package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathGuardTest {

    @Test
    void pathsThatMeanAnotherPathOnceNormalisedAreRefused() {
        for (String path : new String[] {"/../v1/served-requests", "/v1/../internal/v1/served-requests",
                "/internal/forward/../v1/x", "/v1/./models", "/v1/models/..", "/v1/%2e%2e/internal",
                "/v1/models%2F..%2Finternal", "/v1/models%5cx", "/v1\\models", "/v1/models%00", "v1/models"}) {
            assertThat(PathGuard.problem(path)).as(path).isPresent();
        }
    }

    @Test
    void ordinaryPathsPass() {
        for (String path : new String[] {"/v1/models", "/v1/models/ft:all-minilm-l6-v2:tickets:abc",
                "/v2/models/adder/versions/1/infer", "/v1/files/file-1/content", "/api/v1/tenants",
                "/v1/models/a..b", "/v1/models/.hidden"}) {
            assertThat(PathGuard.problem(path)).as(path).isEmpty();
        }
    }
}
