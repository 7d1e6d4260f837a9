package dev.meridian.models.exports.service;

import dev.meridian.models.exports.config.ExportsConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Signed, time-limited download links of export archives, as S3's presigned URLs are: the link names its expiry, and
 * an HMAC-SHA256 under the region's secret ({@code meridian.models.exports.link-secret}) over the tenant, the export
 * and that expiry, so neither can be changed without the secret. Checked in constant time.
 */
@ApplicationScoped
public class DownloadLinks {

    private static final Logger LOG = Logger.getLogger(DownloadLinks.class);
    static final int MIN_SECRET_LENGTH = 32;

    @Inject
    ExportsConfig config;

    private byte[] secret;

    @PostConstruct
    void init() {
        if (config.linkSecret().isPresent()) {
            String configured = config.linkSecret().get();
            if (configured.length() < MIN_SECRET_LENGTH) {
                throw new IllegalStateException("meridian.models.exports.link-secret must have at least "
                        + MIN_SECRET_LENGTH + " characters");
            }
            secret = configured.getBytes(StandardCharsets.UTF_8);
        } else {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            LOG.warn("meridian.models.exports.link-secret is not set: export download links are signed with a random"
                    + " secret of this process, so they stop working when it restarts and at other replicas");
        }
    }

    /** The path (below the gateway) that downloads the export's archive until {@code expires}. */
    public String path(UUID tenantId, String exportId, Instant expires) {
        long at = expires.getEpochSecond();
        return "/api/v1/tenants/" + tenantId + "/exports/" + exportId + "/archive?expires=" + at + "&signature="
                + sign(tenantId, exportId, at);
    }

    /** Whether {@code signature} is this region's for the tenant, export and expiry (not whether it expired). */
    public boolean signed(UUID tenantId, String exportId, long expires, String signature) {
        if (signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(tenantId, exportId, expires).getBytes(StandardCharsets.US_ASCII),
                signature.strip().getBytes(StandardCharsets.US_ASCII));
    }

    String sign(UUID tenantId, String exportId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] tag = mac.doFinal(("tenant-export\n" + tenantId + "\n" + exportId + "\n" + expires)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
