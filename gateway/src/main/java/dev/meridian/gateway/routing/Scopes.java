package dev.meridian.gateway.routing;

import dev.meridian.common.apikey.Scope;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code /v1} and {@code /v2} routes the gateway serves or forwards, and which key scopes each needs: any one of
 * the listed scopes will do. A rule names a path and everything below it ({@code /v1/models} and
 * {@code /v1/models/m}, not {@code /v1/modelsx}); the first that matches decides. A path no rule names is not a
 * route: deny by default, it is refused before any scope check or forward.
 */
public final class Scopes {

    /** {@code writesAnyOf}: what a method other than GET/HEAD needs on the path, where that differs. */
    private record Rule(String pathPrefix, Set<String> anyOf, Set<String> writesAnyOf) {
        Rule(String pathPrefix, Set<String> anyOf) {
            this(pathPrefix, anyOf, anyOf);
        }

        boolean matches(String path) {
            return path.equals(pathPrefix) || path.startsWith(pathPrefix + "/");
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
            new Rule("/v2", INFERENCE));

    private Scopes() {
    }

    /** The scopes one of which the path needs, or empty when no rule names the path (it is not a route). */
    public static Optional<Set<String>> required(String path) {
        return required("GET", path);
    }

    /** As {@link #required(String)}, for a method: writes to models need {@code models}, reads also take inference. */
    public static Optional<Set<String>> required(String method, String path) {
        for (Rule r : RULES) {
            if (r.matches(path)) {
                return Optional.of(r.forMethod(method));
            }
        }
        return Optional.empty();
    }

    /**
     * The paths the table names, in the order they are matched: each is a route together with everything below it.
     * Whoever must cover every route (the isolation matrix in infra/system-tests, the API reference) reads them here,
     * so that a route added to the table cannot be missed.
     */
    public static List<String> prefixes() {
        return RULES.stream().map(Rule::pathPrefix).toList();
    }

    public static boolean allows(List<String> granted, String path) {
        return allows(granted, "GET", path);
    }

    public static boolean allows(List<String> granted, String method, String path) {
        for (Rule r : RULES) {
            if (r.matches(path)) {
                for (String g : granted) {
                    if (r.forMethod(method).contains(g)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false; // not a route: nothing is allowed on it
    }
}
