package dev.meridian.common.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph), path-style URLs, each request signed with {@link SigV4}
 * over the JDK's HTTP client. A single PUT per object (S3 caps those at 5 GiB, far above the model size cap).
 */
public final class S3BlobStore implements BlobStore {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String bucket;
    private final SigV4 signer;

    public S3BlobStore(String endpoint, String bucket, String region, String accessKeyId, String secretAccessKey) {
        this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
        this.bucket = bucket;
        this.signer = new SigV4(accessKeyId, secretAccessKey, region, "s3");
    }

    private String canonicalPath(String key) {
        return "/" + SigV4.encode(bucket) + "/" + Arrays.stream(BlobStore.checkKey(key).split("/"))
                .map(SigV4::encode).collect(Collectors.joining("/"));
    }

    private HttpRequest.Builder signed(String method, String key, String payloadSha256) {
        return signedPath(method, canonicalPath(key), "", payloadSha256);
    }

    /** A request for {@code path} (URI-encoded) with {@code query} in canonical form: names sorted, values encoded. */
    private HttpRequest.Builder signedPath(String method, String path, String query, String payloadSha256) {
        URI uri = URI.create(endpoint + path + (query.isEmpty() ? "" : "?" + query));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadSha256);
        headers.put("x-amz-date", SigV4.amzDate(now));
        var builder = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("x-amz-content-sha256", payloadSha256)
                .header("x-amz-date", headers.get("x-amz-date"))
                .header("Authorization", signer.authorization(method, path, query, headers, payloadSha256, now));
        return builder;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        String sha = sha256(file);
        var request = signed("PUT", key, sha).PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
        var response = send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("S3 PUT " + key + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        var response = send(signed("GET", key, SigV4.EMPTY_SHA256).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == 404) {
            response.body().close();
            throw new NoSuchFileException(key);
        }
        if (response.statusCode() / 100 != 2) {
            String body = new String(response.body().readAllBytes());
            throw new IOException("S3 GET " + key + " answered " + response.statusCode() + ": " + body);
        }
        return response.body();
    }

    @Override
    public boolean exists(String key) throws IOException {
        var response = send(signed("HEAD", key, SigV4.EMPTY_SHA256)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("S3 HEAD " + key + " answered " + response.statusCode());
        }
        return true;
    }

    @Override
    public void delete(String key) throws IOException {
        var response = send(signed("DELETE", key, SigV4.EMPTY_SHA256).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 404 && response.statusCode() / 100 != 2) {
            throw new IOException("S3 DELETE " + key + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** ListObjectsV2 under {@code prefix}, page by page (S3 returns at most 1,000 keys per page). */
    @Override
    public List<String> list(String prefix) throws IOException {
        if (prefix == null || prefix.isEmpty() || !prefix.matches("[a-z0-9._/-]+") || prefix.contains("..")) {
            throw new IllegalArgumentException("not a valid blob key prefix: " + prefix);
        }
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            // canonical query: parameter names in byte order, names and values URI-encoded
            String query = (token == null ? "" : "continuation-token=" + SigV4.encode(token) + "&")
                    + "list-type=2&prefix=" + SigV4.encode(prefix);
            var response = send(signedPath("GET", "/" + SigV4.encode(bucket), query, SigV4.EMPTY_SHA256).GET()
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("S3 LIST " + prefix + " answered " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            ListPage page = ListPage.parse(response.body());
            keys.addAll(page.keys());
            token = page.nextToken();
        } while (token != null);
        return keys;
    }

    /** One page of a ListObjectsV2 answer: its keys, and the token of the next page when it is truncated. */
    record ListPage(List<String> keys, String nextToken) {

        static ListPage parse(byte[] xml) throws IOException {
            try {
                var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
                factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
                factory.setNamespaceAware(true);
                var doc = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml));
                List<String> keys = new ArrayList<>();
                var contents = doc.getElementsByTagNameNS("*", "Contents");
                for (int i = 0; i < contents.getLength(); i++) {
                    var key = ((org.w3c.dom.Element) contents.item(i)).getElementsByTagNameNS("*", "Key");
                    if (key.getLength() > 0) {
                        keys.add(key.item(0).getTextContent());
                    }
                }
                var truncated = doc.getElementsByTagNameNS("*", "IsTruncated");
                var next = doc.getElementsByTagNameNS("*", "NextContinuationToken");
                boolean more = truncated.getLength() > 0 && "true".equals(truncated.item(0).getTextContent().strip());
                return new ListPage(keys, more && next.getLength() > 0 ? next.item(0).getTextContent() : null);
            } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
                throw new IOException("unreadable S3 list answer: " + e.getMessage(), e);
            }
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (var in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
