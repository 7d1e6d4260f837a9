package dev.meridian.common.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.models.ChatTemplate.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    // a template in the style of Hugging Face's: bos first, one block per message, the generation prompt last
    private static final String ZEPHYR_LIKE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'user' %}<|user|>\n{{ message['content'] }}{{ eos_token }}\n"
            + "{% elif message['role'] == 'system' %}<|system|>\n{{ message['content'] }}{{ eos_token }}\n"
            + "{% elif message['role'] == 'assistant' %}<|assistant|>\n{{ message['content'] }}{{ eos_token }}\n"
            + "{% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

    @Test
    void rendersAConversationAsHuggingFaceWould() {
        String prompt = ChatTemplate.of(ZEPHYR_LIKE).render(List.of(new Message("system", "Be brief."),
                new Message("user", "Hi")), true, "<s>", "</s>");
        assertThat(prompt).isEqualTo("<s><|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\n");
    }

    @Test
    void leavesTheGenerationPromptOutWhenNotAsked() {
        String prompt = ChatTemplate.of(ZEPHYR_LIKE).render(List.of(new Message("user", "Hi")), false, "<s>", "</s>");
        assertThat(prompt).isEqualTo("<s><|user|>\nHi</s>\n");
    }

    @Test
    void passesTheTemplatesOwnRefusalOn() {
        String alternating = "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0)"
                + " %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
                + "{% endif %}[{{ message['role'] }}]{{ message['content'] }}{% endfor %}";
        // the check's sample conversation opens with a system message, which this template refuses
        assertThatThrownBy(() -> ChatTemplate.of(alternating))
                .isInstanceOf(ChatTemplate.TemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void refusesTemplatesThatDoNotParse() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for message in messages %}{{ message['content'] }}"))
                .isInstanceOf(ChatTemplate.TemplateException.class);
        assertThatThrownBy(() -> ChatTemplate.of("  ")).isInstanceOf(ChatTemplate.TemplateException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void cannotLoadOtherTemplates() {
        assertThatThrownBy(() -> ChatTemplate.of("{% include 'META-INF/MANIFEST.MF' %}"))
                .isInstanceOf(ChatTemplate.TemplateException.class);
    }

    @Test
    void capsWhatATemplateWrites() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for i in range(10000) %}{% for j in range(10000) %}"
                + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}"))
                .isInstanceOf(ChatTemplate.TemplateException.class);
    }
}
