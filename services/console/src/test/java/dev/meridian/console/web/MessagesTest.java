package dev.meridian.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.qute.i18n.Message;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every string of the console exists in every language it offers, and no translation is left over. */
class MessagesTest {

    @Test
    void everyMessageHasAChineseTranslationAndNoTranslationIsStale() throws IOException {
        Set<String> keys = Arrays.stream(Msg.class.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(
                Message.class)).map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        Properties zh = new Properties();
        try (var in = MessagesTest.class.getResourceAsStream("/messages/msg_zh.properties")) {
            assertThat(in).as("messages/msg_zh.properties").isNotNull();
            zh.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        assertThat(new TreeSet<>(zh.stringPropertyNames())).as("keys of msg_zh.properties").isEqualTo(keys);
        zh.forEach((key, text) -> assertThat(text.toString()).as("translation of %s", key).isNotBlank());
    }

    @Test
    void theLanguagesOfferedAreEnglishAndChinese() {
        assertThat(Locales.LANGUAGES).containsExactly("en", "zh");
        assertThat(Locales.supported("ZH")).contains("zh");
        assertThat(Locales.supported("fr")).isEmpty();
    }
}
