package dev.meridian.gateway.models;

import java.util.List;
import java.util.Optional;

/** The models a tenant can call, in OpenAI's shape. Served from a static list until the inference service lands. */
public interface ModelCatalog {

    record Model(String id, String object, long created, String ownedBy) {
    }

    List<Model> models();

    default Optional<Model> find(String id) {
        return models().stream().filter(m -> m.id().equals(id)).findFirst();
    }
}
