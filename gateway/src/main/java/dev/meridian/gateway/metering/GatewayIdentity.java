package dev.meridian.gateway.metering;

import dev.meridian.gateway.config.GatewayConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** This gateway instance's id: {@code meridian.gateway.gateway-id}, else its region and host name. */
public final class GatewayIdentity {

    private GatewayIdentity() {
    }

    public static String of(GatewayConfig config) {
        return config.gatewayId().filter(id -> !id.isBlank()).orElseGet(() -> config.region() + "-" + host());
    }

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
