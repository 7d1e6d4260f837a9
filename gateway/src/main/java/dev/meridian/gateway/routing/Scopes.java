package dev.meridian.gateway.routing;

import dev.meridian.common.apikey.Scope;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's route table: the {@code /v1} and {@code /v2} routes it serves or forwards, which key scopes each needs
 * (any one of the listed scopes will do) and which service of the home region answers it. A rule names a path and
 * everything below it ({@code /v1/models} and {@code /v1/models/m}, not {@code /v1/modelsx}); the first that matches
 * decides. A path no rule names is not a route: deny by default, it is refused before any scope check or forward.
 * The same table drives admission ({@link GatewayRoutes}), the service a call goes to, and the isolation matrix of
 * infra/system-tests ({@link #prefixes}).
 */
public final class Scopes {

    /** Who answers a route in the home region. */
    public enum Service {
        /** The model registry and fine-tuning ({@code meridian.gateway.models-url}). */
        MODELS,
        /** Inference ({@code meridian.gateway.inference-url}). */
        INFERENCE,
        /** The gateway itself, from its catalog of base models: model listing where no service is configured. */
        CATALOG
    }

    /**
     * {@code writesAnyOf}: what a method other than GET/HEAD needs on the path, where that differs. {@code servedBy}:
     * the services that answer the route, the first one this region runs.
     */
    private record Rule(String pathPrefix, Set<String> anyOf, Set<String> writesAnyOf, List<Service> servedBy) {
        Rule(String pathPrefix, Set<String> anyOf, List<Service> servedBy) {
            this(pathPrefix, anyOf, anyOf, servedBy);
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
            // the registry lists the tenant's models with the base ones; without it, inference or the catalog
            new Rule("/v1/models", Set.of(Scope.MODELS.wireName(), Scope.INFERENCE.wireName()), MODELS,
                    List.of(Service.MODELS, Service.INFERENCE, Service.CATALOG)),
            new Rule("/v1/uploads", MODELS, List.of(Service.MODELS)),
            new Rule("/v1/embeddings", INFERENCE, List.of(Service.INFERENCE)),
            new Rule("/v1/chat/completions", INFERENCE, List.of(Service.INFERENCE)),
            new Rule("/v1/completions", INFERENCE, List.of(Service.INFERENCE)),
            new Rule("/v1/classifications", INFERENCE, List.of(Service.INFERENCE)),
            new Rule("/v1/files", FINE_TUNE, List.of(Service.MODELS)),
            new Rule("/v1/fine_tuning", FINE_TUNE, List.of(Service.MODELS)),
            new Rule("/v2", INFERENCE, List.of(Service.INFERENCE)));

    /** The routes that generate text: their tokens count against a key's tokens-per-minute limit. */
    private static final List<String> GENERATIVE = List.of("/v1/chat/completions", "/v1/completions");

    private Scopes() {
    }

    /** Whether the path generates text (and so spends the key's tokens per minute). */
    public static boolean generative(String path) {
        return GENERATIVE.contains(path);
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

    /** The services that answer the path, in order of preference; empty when it is not a route. */
    public static List<Service> servedBy(String path) {
        for (Rule r : RULES) {
            if (r.matches(path)) {
                return r.servedBy();
            }
        }
        return List.of();
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
