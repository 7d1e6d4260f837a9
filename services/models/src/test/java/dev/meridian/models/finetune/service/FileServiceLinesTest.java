package dev.meridian.models.finetune.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.common.error.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@code POST /v1/files} refuses before storing anything: every line must be one JSON object. */
class FileServiceLinesTest {

    private static int lines(String content, int maxLineBytes) throws IOException {
        return FileService.jsonObjectLines(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
                "t.jsonl", maxLineBytes);
    }

    private static ApiException refusal(String content, int maxLineBytes) {
        return catchThrowableOfType(ApiException.class, () -> lines(content, maxLineBytes));
    }

    @Test
    void objectsOnEveryLineAreCounted() throws IOException {
        assertThat(lines("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"y\"}\n", 100)).isEqualTo(2);
    }

    @Test
    void blankAndNonObjectLinesAreRefusedWithTheirNumbers() {
        var e = refusal("{\"text\":\"a\",\"label\":\"x\"}\n\n1\n[\"a\"]\n\"s\"\n{\"text\":\"b\",\"label\":\"y\"}\n", 100);
        assertThat(e.getMessage()).contains("4 lines are not one JSON object")
                .contains("line 2: empty line").contains("line 3: not a JSON object")
                .contains("line 4: not a JSON object").contains("line 5: not a JSON object");
    }

    @Test
    void aLineOverTheLimitIsRefusedNamingIt() {
        var e = refusal("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"" + "y".repeat(1000) + "\",\"label\":\"x\"}\n", 100);
        assertThat(e.getMessage()).contains("line 2: the line has more than 100 bytes");
    }

    @Test
    void aMillionBadLinesNameTwentyAndCountTheRest() {
        var e = refusal("1\n".repeat(1_000_000), 100);
        assertThat(e.getMessage()).contains("1000000 lines are not one JSON object").contains("line 20:")
                .doesNotContain("line 21:").contains("and 999980 more");
    }

    @Test
    void textThatIsNotUtf8IsRefusedNamingTheLine() {
        var bytes = new byte[] {'{', '}', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
        var e = catchThrowableOfType(ApiException.class, () -> FileService.jsonObjectLines(
                new ByteArrayInputStream(bytes), "t.jsonl", 100));
        assertThat(e.getMessage()).contains("line 2: not UTF-8");
    }
}
