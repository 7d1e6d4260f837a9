package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meridian.common.apikey.Scope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Route matching under Jazzer: for any method and path, {@link Scopes} answers without throwing; a path is a route
 * exactly when the table names it or a path below it (never a path that merely starts alike, never one outside
 * {@code /v1} and {@code /v2}); a route needs at least one known scope; and a key is allowed exactly when it holds
 * one of them, so nothing is allowed on a path that is not a route. Seeds (and found crashes, kept as regression
 * inputs) are in {@code src/test/resources/dev/meridian/gateway/routing/ScopesFuzzTestInputs/}.
 */
class ScopesFuzzTest {

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get"};
    private static final List<String> KNOWN = Arrays.stream(Scope.values()).map(Scope::wireName).toList();

    @FuzzTest(maxDuration = "10s")
    void onlyTheTablesPathsAreRoutesAndOnlyTheirScopesPass(byte[] data) {
        // the first byte picks the method and the granted scopes; the rest is the path, one char per byte
        int pick = data.length == 0 ? 0 : data[0] & 0xff;
        String method = METHODS[pick % METHODS.length];
        String path = new String(data, Math.min(1, data.length), Math.max(0, data.length - 1),
                StandardCharsets.ISO_8859_1);
        List<String> granted = new ArrayList<>();
        for (int i = 0; i < KNOWN.size(); i++) {
            if ((pick >> (3 + i) & 1) == 1) {
                granted.add(KNOWN.get(i));
            }
        }

        Optional<Set<String>> required = Scopes.required(method, path);
        boolean named = Scopes.prefixes().stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/"));
        assertThat(required.isPresent()).as("%s %s is a route", method, path).isEqualTo(named);
        if (required.isPresent()) {
            assertThat(path).startsWith("/v");
            assertThat(path.startsWith("/v1/") || path.equals("/v2") || path.startsWith("/v2/")).isTrue();
            assertThat(required.get()).isNotEmpty().isSubsetOf(KNOWN);
        }
        boolean expected = required.isPresent() && granted.stream().anyMatch(required.get()::contains);
        assertThat(Scopes.allows(granted, method, path)).as("%s %s with %s", method, path, granted)
                .isEqualTo(expected);
        assertThat(Scopes.allows(KNOWN, method, path)).isEqualTo(required.isPresent());
        // whether a path is a route does not depend on the method
        assertThat(Scopes.required("GET", path).isPresent()).isEqualTo(required.isPresent());
    }
}
