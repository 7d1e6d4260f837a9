package dev.meridian.billing.budgets.service;

import dev.meridian.billing.config.BillingConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a budget-alert webhook may go: an https URL whose host resolves only to public addresses. Private (RFC 1918,
 * fc00::/7), loopback, link-local (169.254/16 with the cloud metadata service, fe80::/10), unspecified, multicast,
 * shared (CGNAT 100.64/10) and reserved addresses are refused, also when written as an IPv4 address inside IPv6
 * (mapped, compatible, NAT64, 6to4). Checked when the URL is registered and again before each call (a name may
 * resolve elsewhere by then: DNS rebinding); the caller then connects to the checked address, never resolving again.
 * The switch {@code meridian.billing.webhooks.allow-http-and-loopback} (dev stack and tests only) admits http and
 * loopback targets; everything else stays refused.
 */
@Singleton
public class WebhookTargets {

    /** Looks up a host's addresses: {@link InetAddress#getAllByName} in service, a fixed answer in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL that may not be a webhook target, with the reason in words a tenant can act on. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A checked target: what to ask for ({@code uri}; {@code host} for Host and TLS) and where to connect. */
    public record Target(URI uri, String host, int port, boolean https, List<InetAddress> addresses) {

        /** Path and query to request. */
        public String requestUri() {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        }
    }

    /** An IPv4-looking host (digits, dots, hex): only plain dotted decimal is taken, never 0177.1 or 2130706433. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*\\.?");
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final boolean allowHttpAndLoopback;
    private final Resolver resolver;

    @Inject
    WebhookTargets(BillingConfig config) {
        this(config.webhooks().allowHttpAndLoopback(), InetAddress::getAllByName);
    }

    public WebhookTargets(boolean allowHttpAndLoopback, Resolver resolver) {
        this.allowHttpAndLoopback = allowHttpAndLoopback;
        this.resolver = resolver;
    }

    /** Parses {@code url}, resolves its host now and checks every address it resolves to. */
    public Target check(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("'" + url + "' is not a URL; write e.g. https://example.com/meridian/alerts");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !(scheme.equals("http") && allowHttpAndLoopback)) {
            throw new Refused("'" + url + "' is not an https URL: alerts go only over https; write e.g."
                    + " https://example.com/meridian/alerts");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new Refused("'" + url + "' needs a plain host name (no user:password@); write e.g."
                    + " https://example.com/meridian/alerts");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (NUMERIC_HOST.matcher(lower).matches() && !DOTTED_QUAD.matcher(lower).matches()) {
            throw new Refused("host '" + host + "' is an ambiguous IPv4 form (octal, hex or shortened numbers read"
                    + " differently by different programs); write the address as four decimal numbers or use a"
                    + " host name");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Refused("host '" + host + "' does not resolve; use a host name with a public DNS record");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("host '" + host + "' does not resolve; use a host name with a public DNS record");
        }
        for (InetAddress address : addresses) {
            Optional<String> why = forbidden(address);
            if (why.isPresent() && !(allowHttpAndLoopback && address.isLoopbackAddress())) {
                throw new Refused("host '" + host + "' resolves to " + address.getHostAddress() + ", " + why.get()
                        + "; webhooks go only to public addresses: use your receiver's public https URL");
            }
        }
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        return new Target(uri, host, port, https, List.copyOf(Arrays.asList(addresses)));
    }

    /** Why {@code address} may not receive webhooks, or empty when it is a public unicast address. */
    public static Optional<String> forbidden(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return forbiddenV4(b, 0);
        }
        if (address instanceof Inet6Address) {
            return forbiddenV6(b);
        }
        return Optional.of("an address of an unknown kind");
    }

    private static Optional<String> forbiddenV4(byte[] b, int at) {
        int a0 = b[at] & 0xff;
        int a1 = b[at + 1] & 0xff;
        if (a0 == 0) {
            return Optional.of("an unspecified address (0.0.0.0/8)");
        }
        if (a0 == 127) {
            return Optional.of("a loopback address (127.0.0.0/8)");
        }
        if (a0 == 10 || a0 == 172 && (a1 & 0xf0) == 16 || a0 == 192 && a1 == 168) {
            return Optional.of("a private address (RFC 1918)");
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return Optional.of("a shared carrier-grade NAT address (100.64.0.0/10)");
        }
        if (a0 == 169 && a1 == 254) {
            return Optional.of("a link-local address (169.254.0.0/16, where the cloud metadata service lives)");
        }
        if (a0 >= 224 && a0 <= 239) {
            return Optional.of("a multicast address (224.0.0.0/4)");
        }
        if (a0 >= 240) {
            return Optional.of("a reserved or broadcast address (240.0.0.0/4)");
        }
        if (a0 == 192 && a1 == 0 && (b[at + 2] & 0xff) == 0 || a0 == 198 && (a1 & 0xfe) == 18) {
            return Optional.of("a reserved address (192.0.0.0/24, 198.18.0.0/15)");
        }
        return Optional.empty();
    }

    private static Optional<String> forbiddenV6(byte[] b) {
        boolean first80Zero = allZero(b, 0, 10);
        if (first80Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return forbiddenV4(b, 12); // IPv4-mapped ::ffff:a.b.c.d
        }
        if (first80Zero && b[10] == 0 && b[11] == 0) {
            if (allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1)) {
                return Optional.of(b[15] == 0 ? "the unspecified address (::)" : "the loopback address (::1)");
            }
            return forbiddenV4(b, 12); // IPv4-compatible ::a.b.c.d
        }
        int w0 = (b[0] & 0xff) << 8 | b[1] & 0xff;
        if (w0 == 0x0064 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            // NAT64: 64:ff9b::/96 embeds the IPv4 address it reaches; 64:ff9b:1::/48 is for local networks
            return allZero(b, 4, 12) ? forbiddenV4(b, 12) : Optional.of("a local-use NAT64 address (64:ff9b:1::/48)");
        }
        if (w0 == 0x2002) {
            return forbiddenV4(b, 2); // 6to4: 2002:a.b.c.d::/48
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("a unique local (private) address (fc00::/7)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return Optional.of("a link-local address (fe80::/10)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return Optional.of("a site-local (private) address (fec0::/10)");
        }
        if ((b[0] & 0xff) == 0xff) {
            return Optional.of("a multicast address (ff00::/8)");
        }
        return Optional.empty();
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
