package dev.meridian.gateway.routing;

import dev.meridian.common.apikey.Scope;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which key scopes a {@code /v1} or {@code /v2} route needs: any one of the listed scopes will do. The first rule
 * whose path prefix matches decides; a route no rule names needs no particular scope (it still needs a valid key).
 */
public final class Scopes {

    private record Rule(String pathPrefix, Set<String> anyOf) {
    }

    private static final Set<String> INFERENCE = Set.of(Scope.INFERENCE.wireName());
    private static final Set<String> FINE_TUNE = Set.of(Scope.FINE_TUNE.wireName());

    private static final List<Rule> RULES = List.of(
            new Rule("/v1/models", Set.of(Scope.MODELS.wireName(), Scope.INFERENCE.wireName())),
            new Rule("/v1/embeddings", INFERENCE),
            new Rule("/v1/classifications", INFERENCE),
            new Rule("/v1/files", FINE_TUNE),
            new Rule("/v1/fine_tuning", FINE_TUNE),
            new Rule("/v2/", INFERENCE));

    private Scopes() {
    }

    /** The scopes one of which the path needs, or empty when no rule names the path. */
    public static Optional<Set<String>> required(String path) {
        for (Rule r : RULES) {
            if (path.startsWith(r.pathPrefix())) {
                return Optional.of(r.anyOf());
            }
        }
        return Optional.empty();
    }

    public static boolean allows(List<String> granted, String path) {
        for (Rule r : RULES) {
            if (path.startsWith(r.pathPrefix())) {
                for (String g : granted) {
                    if (r.anyOf().contains(g)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }
}
