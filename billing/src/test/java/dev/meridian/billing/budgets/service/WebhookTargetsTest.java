package dev.meridian.billing.budgets.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Resolves names from a fixed table (and literals as Java does), never asking DNS. */
    private static WebhookTargets.Resolver names(Map<String, String> table) {
        return host -> {
            String to = table.get(host);
            if (to != null) {
                return new InetAddress[] {ip(to)};
            }
            if (host.chars().anyMatch(Character::isLetter) && !host.contains(":")) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getAllByName(host);
        };
    }

    private static final WebhookTargets PROD = new WebhookTargets(false, names(Map.of(
            "hooks.example.com", "93.184.215.14", "internal.example.com", "10.1.2.3",
            "metadata.example.com", "169.254.169.254")));

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1",
            "172.31.255.255", "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255",
            "224.0.0.1", "239.255.255.255", "255.255.255.255", "240.0.0.1", "192.0.0.170", "198.18.0.1"})
    void internalIpv4AddressesAreRefused(String literal) {
        assertThat(WebhookTargets.forbidden(ip(literal))).as(literal).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
            "ff0e::1", "64:ff9b:1::1"})
    void internalIpv6AddressesAreRefused(String literal) {
        assertThat(WebhookTargets.forbidden(ip(literal))).as(literal).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1",
            "::169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b::10.0.0.1", "2002:a9fe:a9fe::1", "2002:7f00:1::"})
    void ipv4InsideIpv6IsJudgedByTheIpv4AddressItCarries(String literal) {
        assertThat(WebhookTargets.forbidden(ip(literal))).as(literal).isPresent();
    }

    @Test
    void anIpv4MappedAddressBuiltAsIpv6BytesIsStillCaught() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 169;
        mapped[13] = (byte) 254;
        mapped[14] = (byte) 169;
        mapped[15] = (byte) 254;
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(WebhookTargets.forbidden(v6)).get().asString().contains("link-local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255",
            "100.128.0.1", "169.253.0.1", "2606:4700:4700::1111", "2001:db8::1", "64:ff9b::808:808",
            "2002:808:808::1"})
    void publicAddressesAreAllowed(String literal) {
        assertThat(WebhookTargets.forbidden(ip(literal))).as(literal).isEmpty();
    }

    @Test
    void numericHostsAreJudgedByTheAddressJavaResolvesThemTo() {
        // InetAddress reads a single decimal number as a whole IPv4 address: 2130706433 is 127.0.0.1
        assertThat(WebhookTargets.forbidden(ip("2130706433"))).get().asString().contains("loopback");
        assertThat(WebhookTargets.forbidden(ip("127.1"))).get().asString().contains("loopback");
        assertThat(WebhookTargets.forbidden(ip("2852039166"))).get().asString().contains("link-local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://2130706433/hooks", "https://0177.0.0.1/hooks", "https://127.1/hooks",
            "https://0x7f000001/hooks", "https://017700000001/hooks", "https://0251.0376.0251.0376/",
            "https://2852039166/latest/meta-data/"})
    void ambiguousNumericHostsAreRefusedBeforeAnyLookup(String url) {
        AtomicReference<String> asked = new AtomicReference<>();
        WebhookTargets targets = new WebhookTargets(false, host -> {
            asked.set(host);
            return new InetAddress[] {ip("93.184.215.14")};
        });
        assertThatThrownBy(() -> targets.check(url)).isInstanceOf(WebhookTargets.Refused.class)
                .message().satisfiesAnyOf(m -> assertThat(m).contains("ambiguous IPv4"),
                        m -> assertThat(m).contains("plain host name"));
        assertThat(asked.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1/hooks", "https://localhost/hooks", "https://169.254.169.254/latest/",
            "https://[::1]/hooks", "https://[::ffff:169.254.169.254]/", "https://[fd00::1]/", "https://10.0.0.8:8443/",
            "https://internal.example.com/hooks", "https://metadata.example.com/", "https://100.100.100.200/"})
    void urlsToInternalAddressesAreRefusedWithTheAddressAndWhy(String url) {
        WebhookTargets targets = new WebhookTargets(false, names(Map.of(
                "internal.example.com", "10.1.2.3", "metadata.example.com", "169.254.169.254",
                "localhost", "127.0.0.1")));
        assertThatThrownBy(() -> targets.check(url)).isInstanceOf(WebhookTargets.Refused.class)
                .hasMessageContaining("resolves to").hasMessageContaining("public addresses");
    }

    @Test
    void httpIsRefusedUnlessTheDevSwitchIsOn() throws Exception {
        assertThatThrownBy(() -> PROD.check("http://hooks.example.com/alerts")).hasMessageContaining("not an https");
        assertThatThrownBy(() -> PROD.check("ftp://hooks.example.com/alerts")).hasMessageContaining("not an https");
        assertThatThrownBy(() -> PROD.check("https://user:pw@hooks.example.com/"))
                .hasMessageContaining("plain host name");
        assertThatThrownBy(() -> PROD.check("not a url")).isInstanceOf(WebhookTargets.Refused.class);

        var target = PROD.check("https://hooks.example.com/alerts?x=1");
        assertThat(target.addresses()).containsExactly(ip("93.184.215.14"));
        assertThat(target.port()).isEqualTo(443);
        assertThat(target.requestUri()).isEqualTo("/alerts?x=1");
        assertThat(target.host()).isEqualTo("hooks.example.com");
    }

    @Test
    void theDevSwitchAdmitsHttpAndLoopbackButNothingElseInternal() throws Exception {
        WebhookTargets dev = new WebhookTargets(true, names(Map.of("localhost", "127.0.0.1",
                "metadata.example.com", "169.254.169.254")));
        assertThat(dev.check("http://localhost:9000/hooks").addresses()).containsExactly(ip("127.0.0.1"));
        assertThat(dev.check("http://[::1]:9000/hooks").port()).isEqualTo(9000);
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                "http://metadata.example.com/", "http://[fe80::1]/", "http://100.64.0.1/", "http://0.0.0.0:9000/")) {
            assertThatThrownBy(() -> dev.check(url)).as(url).isInstanceOf(WebhookTargets.Refused.class);
        }
    }

    @Test
    void aNameThatResolvesToAnyInternalAddressIsRefused() {
        WebhookTargets targets = new WebhookTargets(false, host -> new InetAddress[] {ip("93.184.215.14"),
                ip("10.0.0.5")});
        assertThatThrownBy(() -> targets.check("https://split.example.com/")).hasMessageContaining("10.0.0.5");
    }

    @Test
    void aNameCheckedAtRegistrationIsCheckedAgainWhenItResolvesElsewhereLater() throws Exception {
        // DNS rebinding: public when the URL was registered, the metadata service when the alert is sent
        AtomicReference<String> answer = new AtomicReference<>("93.184.215.14");
        WebhookTargets targets = new WebhookTargets(false, host -> new InetAddress[] {ip(answer.get())});
        assertThat(targets.check("https://rebind.example.com/hook").addresses()).containsExactly(ip("93.184.215.14"));
        answer.set("169.254.169.254");
        assertThatThrownBy(() -> targets.check("https://rebind.example.com/hook"))
                .hasMessageContaining("169.254.169.254").hasMessageContaining("link-local");
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        assertThatThrownBy(() -> PROD.check("https://nowhere.invalid/")).hasMessageContaining("does not resolve");
    }
}
