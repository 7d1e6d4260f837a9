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

    /** {@code writesAnyOf}: what a method other than GET/HEAD needs on the path, where that differs. */
    private record Rule(String pathPrefix, Set<String> anyOf, Set<String> writesAnyOf) {
        Rule(String pathPrefix, Set<String> anyOf) {
            this(pathPrefix, anyOf, anyOf);
        }

        Set<String> forMethod(String method) {
            return method == null || method.equals("GET") || method.equals("HEAD") ? anyOf : writesAnyOf;
        }
    }

    private static final Set<String> MODELS = Set.of(Scope.MODELS.wireName());

    private static final Set<String> INFERENCE = Set.of(Scope.INFERENCE.wireName());
    private static final Set<String> FINE_TUNE = Set.of(Scope.FINE_TUNE.wireName());

    private static final List<Rule> RULES = List.of(
            new Rule("/v1/models", Set.of(Scope.MODELS.wireName(), Scope.INFERENCE.wireName()), MODELS),
            new Rule("/v1/uploads", MODELS),
            new Rule("/v1/embeddings", INFERENCE),
            new Rule("/v1/classifications", INFERENCE),
            new Rule("/v1/files", FINE_TUNE),
            new Rule("/v1/fine_tuning", FINE_TUNE),
            new Rule("/v2/", INFERENCE));

    private Scopes() {
    }

    /** The scopes one of which the path needs, or empty when no rule names the path. */
    public static Optional<Set<String>> required(String path) {
        return required("GET", path);
    }

    /** As {@link #required(String)}, for a method: writes to models need {@code models}, reads also take inference. */
    public static Optional<Set<String>> required(String method, String path) {
        for (Rule r : RULES) {
            if (path.startsWith(r.pathPrefix())) {
                return Optional.of(r.forMethod(method));
            }
        }
        return Optional.empty();
    }

    public static boolean allows(List<String> granted, String path) {
        return allows(granted, "GET", path);
    }

    public static boolean allows(List<String> granted, String method, String path) {
        for (Rule r : RULES) {
            if (path.startsWith(r.pathPrefix())) {
                for (String g : granted) {
                    if (r.forMethod(method).contains(g)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }
}
