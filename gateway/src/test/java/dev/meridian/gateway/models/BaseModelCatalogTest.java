package dev.meridian.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaseModelCatalogTest {

    private final ModelCatalog catalog = new BaseModelCatalog();

    @Test
    void listsTheBaseEmbeddingModels() {
        assertThat(catalog.models()).extracting(ModelCatalog.Model::id).containsExactly("all-minilm-l6-v2",
                "all-minilm-l6-v2-q", "bge-small-en-v1.5", "bge-small-en-v1.5-q", "bge-small-zh-v1.5-q");
    }

    @Test
    void everyModelHasOpenAisShape() {
        assertThat(catalog.models()).allSatisfy(m -> {
            assertThat(m.object()).isEqualTo("model");
            assertThat(m.ownedBy()).isEqualTo("meridian");
            assertThat(m.created()).isPositive();
        });
    }

    @Test
    void findsAModelById() {
        assertThat(catalog.find("bge-small-en-v1.5")).hasValueSatisfying(m -> assertThat(m.id())
                .isEqualTo("bge-small-en-v1.5"));
    }

    @Test
    void anUnknownIdIsNotFound() {
        assertThat(catalog.find("gpt-4o")).isEmpty();
        assertThat(catalog.find("BGE-SMALL-EN-V1.5")).isEmpty();
    }
}
