package dev.meridian.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.http.impl.HttpUtils;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The path guard under Jazzer, against the normalisation Vert.x applies ({@link HttpUtils#normalizePath}, what
 * {@code RoutingContext.normalizedPath()} returns): whatever raw path a client sends, the guard answers without
 * throwing, and a path it lets through names exactly one path. Normalising it removes no segment; once normalised it
 * holds no dot segment and no encoded or literal separator, decoding it once more (as the next hop does) adds no
 * segment, and normalising it again, as the home gateway does with the forward target, changes nothing. Seeds (and found crashes, kept as regression inputs) are
 * in {@code src/test/resources/dev/meridian/gateway/routing/PathGuardFuzzTestInputs/}.
 */
class PathGuardFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anAcceptedPathNamesOnePathAtEveryHop(byte[] data) {
        // a request line is bytes: one char per byte, as Vert.x reads it
        String raw = new String(data, StandardCharsets.ISO_8859_1);
        Optional<String> problem = PathGuard.problem(raw);
        if (problem.isPresent()) {
            assertThat(problem.get()).isNotBlank();
            return;
        }
        assertThat(raw).startsWith("/");
        String normalised;
        try {
            normalised = HttpUtils.normalizePath(raw);
        } catch (IllegalArgumentException malformed) {
            return; // Vert.x refuses the request itself (400) before any route sees it
        }
        // normalising an accepted path removes no segment (Vert.x merges empty ones: a//b is a/b): the path checked
        // is the path sent
        assertThat(named(normalised)).as("normalised %s of %s", normalised, raw).hasSameSizeAs(named(raw))
                .doesNotContain(".", "..");
        String lower = normalised.toLowerCase(Locale.ROOT);
        assertThat(lower).as("normalised %s of %s", normalised, raw)
                .doesNotContain("%2f", "%5c", "%2e", "%00", "\\");
        assertThat(PathGuard.problem(normalised)).as("the forwarded path %s of %s", normalised, raw).isEmpty();

        // the next hop decodes the path once: no new separator, no dot segment
        String decoded = decodeOnce(normalised);
        assertThat(segments(decoded)).as("%s decoded once", normalised).hasSameSizeAs(segments(normalised))
                .doesNotContain(".", "..");

        // the home gateway normalises the forward target again: the route it serves is the one checked here
        String target = GatewayRoutes.FORWARD_PREFIX + normalised;
        assertThat(PathGuard.problem(target)).as(target).isEmpty();
        assertThat(HttpUtils.normalizePath(target)).isEqualTo(target);
        assertThat(Scopes.required("GET", HttpUtils.normalizePath(target)
                .substring(GatewayRoutes.FORWARD_PREFIX.length()))).isEqualTo(Scopes.required("GET", normalised));
    }

    private static List<String> segments(String path) {
        return Arrays.asList(path.split("/", -1));
    }

    /** The segments that name something: all but the empty ones. */
    private static List<String> named(String path) {
        return segments(path).stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Percent-decoding as a server decodes a path: each valid {@code %XX} to its byte, anything else as it is. */
    private static String decodeOnce(String path) {
        var out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()
                    && Character.digit(path.charAt(i + 1), 16) >= 0 && Character.digit(path.charAt(i + 2), 16) >= 0) {
                out.append((char) Integer.parseInt(path.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
