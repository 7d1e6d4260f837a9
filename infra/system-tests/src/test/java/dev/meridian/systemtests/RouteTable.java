package dev.meridian.systemtests;

import static io.restassured.RestAssured.given;

import dev.meridian.gateway.routing.Scopes;
import dev.meridian.platform.RunningPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes a gateway answers, listed from the same sources the gateway and its services route by: the operations
 * each service behind the gateway declares in its OpenAPI document, kept where the gateway passes them on. A
 * {@code /v1} or {@code /v2} operation is a route when the gateway's own route table ({@link Scopes}) names its path;
 * every {@code /api} operation is one (the gateway proxies all of {@code /api} to tenancy and billing). Anything else
 * a service declares ({@code /internal}, {@code /q}) must never be reachable through a gateway.
 */
final class RouteTable {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** One operation: the method and the path template with its parameters written {@code {}}. */
    record Route(String method, String path) implements Comparable<Route> {

        static Route of(String method, String template) {
            return new Route(method.toUpperCase(Locale.ROOT), template.replaceAll("\\{[^}]*}", "{}"));
        }

        /** The template with a stand-in for each parameter, as the gateway would see a concrete path. */
        String example() {
            return path.replace("{}", "x");
        }

        @Override
        public int compareTo(Route o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** What the services of one region declare, split into what a gateway serves and what it must not. */
    record Listing(Set<Route> served, Set<Route> notServed) {
    }

    private RouteTable() {
    }

    static Listing read(RunningPlatform platform, String region) {
        var served = new TreeSet<Route>();
        var notServed = new TreeSet<Route>();
        for (String service : List.of(platform.tenancyUrl(), platform.billingUrl(), platform.modelsUrl(region),
                platform.inferenceUrl(region))) {
            for (Route r : declared(service)) {
                (isGatewayRoute(r) ? served : notServed).add(r);
            }
        }
        return new Listing(served, notServed);
    }

    /** Whether a gateway passes the operation on: the route table names it, or it is part of the management API. */
    static boolean isGatewayRoute(Route r) {
        if (r.path().startsWith("/api/")) {
            return true;
        }
        return Scopes.required(r.method(), r.example()).isPresent();
    }

    /** The paths of the gateway's route table that no declared operation falls under: a table entry with no route. */
    static List<String> prefixesWithoutRoutes(Set<Route> served) {
        var empty = new ArrayList<String>();
        for (String prefix : Scopes.prefixes()) {
            if (served.stream().noneMatch(r -> r.example().equals(prefix) || r.example().startsWith(prefix + "/"))) {
                empty.add(prefix);
            }
        }
        return empty;
    }

    @SuppressWarnings("unchecked")
    private static List<Route> declared(String serviceUrl) {
        Map<String, Map<String, Object>> paths = given().baseUri(serviceUrl).queryParam("format", "json")
                .get("/q/openapi").then().statusCode(200).extract().jsonPath().getMap("paths");
        var routes = new ArrayList<Route>();
        paths.forEach((path, operations) -> operations.keySet().stream().filter(METHODS::contains)
                .forEach(method -> routes.add(Route.of(method, path))));
        return routes;
    }
}
