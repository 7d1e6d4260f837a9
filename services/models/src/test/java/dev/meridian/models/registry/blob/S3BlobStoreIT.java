package dev.meridian.models.registry.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.blob.S3BlobStore;
import dev.meridian.testing.TestS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The S3 blob store against a real S3-compatible server (S3Proxy) that checks every request's signature. */
class S3BlobStoreIT {

    private final TestS3.Endpoint s3 = TestS3.get();

    private S3BlobStore store(String bucket, String secret) {
        return new S3BlobStore(s3.url(), bucket, "us-east-1", s3.accessKeyId(), secret);
    }

    @Test
    void putOpenExistsDeleteRoundTripTheBytes() throws Exception {
        String bucket = s3.newBucket();
        var store = store(bucket, s3.secretAccessKey());
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(bytes);
        Path file = Files.createTempFile("blob", ".bin");
        Files.write(file, bytes);
        String key = "tenants/0f1e/models/adder/sha256-ab12.onnx";

        assertThat(store.exists(key)).isFalse();
        store.put(key, file);
        assertThat(store.exists(key)).isTrue();
        assertThat(s3.objects(bucket, "tenants/0f1e")).isEqualTo(1);
        try (InputStream in = store.open(key)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        assertThat(s3.objects(bucket, "tenants/0f1e")).isZero();
        store.delete(key); // already gone: no error
        Files.delete(file);
    }

    @Test
    void aMissingKeyIsNoSuchFile() {
        var store = store(s3.newBucket(), s3.secretAccessKey());
        assertThatThrownBy(() -> store.open("tenants/none/nothing.onnx")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aWrongSecretIsRefusedByTheServerAndStoresNothing() throws Exception {
        String bucket = s3.newBucket();
        var store = store(bucket, "not-the-secret");
        Path file = Files.createTempFile("blob", ".bin");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> store.put("tenants/t/x.bin", file)).isInstanceOf(IOException.class)
                .hasMessageContaining("403");
        assertThat(s3.objects(bucket, "tenants")).isZero();
        Files.delete(file);
    }
}
