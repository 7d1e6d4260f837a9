package dev.meridian.common.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing and deleting every key under a prefix: how a tenant's content leaves a region's blob store. */
class BlobListingTest {

    @TempDir
    Path dir;

    @Test
    void deletingATenantsPrefixRemovesItsKeysHalfWrittenFilesAndFoldersButNoNeighbours() throws Exception {
        var store = new FileSystemBlobStore(dir);
        store.put("tenants/aa/files/file-1", bytes("one"));
        store.put("tenants/aa/fine-tuning/ftjob-1/checkpoints/step-3.bin", bytes("two"));
        store.put("tenants/aab/files/file-2", bytes("neighbour whose id shares the prefix"));
        store.put("tenants/bb/files/file-3", bytes("other tenant"));
        Files.writeString(dir.resolve("tenants/aa/files/.tmp-123.part"), "interrupted write");

        assertThat(store.list("tenants/aa/")).containsExactlyInAnyOrder("tenants/aa/files/file-1",
                "tenants/aa/fine-tuning/ftjob-1/checkpoints/step-3.bin");
        assertThat(store.list("tenants/a")).hasSize(3);
        assertThat(store.list("tenants/cc/")).isEmpty();

        assertThat(store.deleteAll("tenants/aa/")).isEqualTo(2);

        assertThat(store.list("tenants/aa/")).isEmpty();
        assertThat(dir.resolve("tenants/aa")).doesNotExist();
        assertThat(store.list("tenants/")).containsExactlyInAnyOrder("tenants/aab/files/file-2",
                "tenants/bb/files/file-3");
        assertThat(store.deleteAll("tenants/aa/")).isZero();
    }

    @Test
    void aPrefixThatCouldLeaveTheStoreIsRefused() {
        var store = assertDoesNotThrow(() -> new FileSystemBlobStore(dir));
        for (String prefix : new String[] {"", "/etc/", "tenants/../../", "Tenants/"}) {
            assertThatThrownBy(() -> store.list(prefix)).as(prefix).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anS3ListingPageGivesItsKeysAndTheNextPagesToken() throws Exception {
        String truncated = """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>blobs</Name><Prefix>tenants/aa/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                  <IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
                  <Contents><Key>tenants/aa/files/file-1</Key><Size>3</Size></Contents>
                  <Contents><Key>tenants/aa/versions/v.onnx</Key><Size>9</Size></Contents>
                </ListBucketResult>
                """;
        var page = S3BlobStore.ListPage.parse(truncated.getBytes(StandardCharsets.UTF_8));
        assertThat(page.keys()).containsExactly("tenants/aa/files/file-1", "tenants/aa/versions/v.onnx");
        assertThat(page.nextToken()).isEqualTo("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

        String last = """
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <IsTruncated>false</IsTruncated><KeyCount>0</KeyCount>
                </ListBucketResult>
                """;
        var end = S3BlobStore.ListPage.parse(last.getBytes(StandardCharsets.UTF_8));
        assertThat(end.keys()).isEmpty();
        assertThat(end.nextToken()).isNull();
    }

    @Test
    void anS3AnswerWithADoctypeIsNotParsed() {
        String hostile = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<ListBucketResult><Contents><Key>&e;</Key></Contents></ListBucketResult>";
        assertThatThrownBy(() -> S3BlobStore.ListPage.parse(hostile.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(java.io.IOException.class);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> supplier) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(supplier);
    }
}
