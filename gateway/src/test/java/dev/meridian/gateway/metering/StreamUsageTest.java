package dev.meridian.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class StreamUsageTest {

    private static final String HEADER = "requests=1,prompt_tokens=7";

    private static StreamUsage fed(String... chunks) {
        var usage = new StreamUsage(HEADER);
        for (String c : chunks) {
            usage.accept(Buffer.buffer(c));
        }
        return usage;
    }

    @Test
    void withoutAUsageCommentTheHeadersUsageIsMetered() {
        assertThat(fed("data: {\"choices\":[]}\n\n").usage()).isEqualTo(HEADER);
    }

    @Test
    void theLastCompleteUsageCommentWins() {
        assertThat(fed("data: {\"x\":1}\n\n: usage requests=1,prompt_tokens=7,completion_tokens=1\n\n",
                "data: {\"x\":2}\n\n: usage requests=1,prompt_tokens=7,completion_tokens=2\n\ndata: [DONE]\n\n").usage())
                .isEqualTo("requests=1,prompt_tokens=7,completion_tokens=2");
    }

    @Test
    void aUsageLineSplitAcrossChunksIsReadWhole() {
        assertThat(fed("data: {}\n\n: us", "age requests=1,prompt_tok", "ens=7,completion_tokens=12", "\r\n\r\n")
                .usage()).isEqualTo("requests=1,prompt_tokens=7,completion_tokens=12");
    }

    @Test
    void aUsageLineCutOffByTheEndOfTheStreamIsNotCounted() {
        assertThat(fed(": usage requests=1,prompt_tokens=7,completion_tokens=3\n\n",
                ": usage requests=1,prompt_tokens=7,completion_tokens=4").usage())
                .isEqualTo("requests=1,prompt_tokens=7,completion_tokens=3");
    }

    @Test
    void onlyCommentsAtTheStartOfALineCountNotTextThatMerelyContainsThem() {
        assertThat(fed("data: {\"content\":\": usage requests=1,prompt_tokens=1,completion_tokens=999\"}\n\n",
                ": usagex requests=1,completion_tokens=998\n\n", ":usage completion_tokens=997\n\n").usage())
                .isEqualTo(HEADER);
    }

    @Test
    void anOverlongUsageLineIsIgnored() {
        assertThat(fed(": usage completion_tokens=1" + "0".repeat(StreamUsage.MAX_LINE) + "\n\n").usage())
                .isEqualTo(HEADER);
    }
}
