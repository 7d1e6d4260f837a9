package dev.meridian.common.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signer against the example requests and signatures AWS publishes for Signature Version 4. */
class SigV4Test {

    @Test
    void signsTheVanillaGetOfTheSigV4TestSuite() {
        var signer = new SigV4("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service");
        var time = ZonedDateTime.of(2015, 8, 30, 12, 36, 0, 0, ZoneOffset.UTC);
        String auth = signer.authorization("GET", "/", "", Map.of("Host", "example.amazonaws.com",
                "X-Amz-Date", SigV4.amzDate(time)), SigV4.EMPTY_SHA256, time);
        assertThat(auth).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                + " SignedHeaders=host;x-amz-date,"
                + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void signsTheS3GetObjectExample() {
        var signer = new SigV4("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3");
        var time = ZonedDateTime.of(2013, 5, 24, 0, 0, 0, 0, ZoneOffset.UTC);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("Range", "bytes=0-9");
        headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");
        String auth = signer.authorization("GET", "/test.txt", "", headers, SigV4.EMPTY_SHA256, time);
        assertThat(auth).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + " SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + " Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void encodesPathSegmentsAsSigV4Wants() {
        assertThat(SigV4.encode("test$file.text")).isEqualTo("test%24file.text");
        assertThat(SigV4.encode("a b~c")).isEqualTo("a%20b~c");
    }
}
