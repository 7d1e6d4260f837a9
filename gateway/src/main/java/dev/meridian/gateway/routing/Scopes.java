package dev.meridian.gateway.routing;

import dev.meridian.common.apikey.Scope;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Which key scopes a {@code /v1} or {@code /v2} route needs: any one of the listed scopes will do. */
public final class Scopes {

    private record Rule(String pathPrefix, Set<String> anyOf) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("/v1/models", Set.of(Scope.MODELS.wireName(), Scope.INFERENCE.wireName())),
            new Rule("/v1/embeddings", Set.of(Scope.INFERENCE.wireName())),
            new Rule("/v1/classifications", Set.of(Scope.INFERENCE.wireName())),
            new Rule("/v1/files", Set.of(Scope.FINE_TUNE.wireName())),
            new Rule("/v1/fine_tuning", Set.of(Scope.FINE_TUNE.wireName())),
            new Rule("/v2/", Set.of(Scope.INFERENCE.wireName())));

    private Scopes() {
    }

    /** The scopes one of which the path needs, or empty when no rule names the path (the route decides then). */
    public static Optional<Set<String>> required(String path) {
        return RULES.stream().filter(r -> path.startsWith(r.pathPrefix())).findFirst().map(Rule::anyOf);
    }

    public static boolean allows(List<String> granted, String path) {
        return required(path).map(need -> granted.stream().anyMatch(need::contains)).orElse(true);
    }
}
