package dev.meridian.gateway.models;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The base embedding models Meridian ships (from Maven Central model jars), offered to every tenant. */
@ApplicationScoped
public class BaseModelCatalog implements ModelCatalog {

    private static final long RELEASED = 1767225600L; // 2026-01-01, when these entered the catalog

    private static final List<Model> BASE = List.of(
            new Model("all-minilm-l6-v2", "model", RELEASED, "meridian"),
            new Model("all-minilm-l6-v2-q", "model", RELEASED, "meridian"),
            new Model("bge-small-en-v1.5", "model", RELEASED, "meridian"),
            new Model("bge-small-en-v1.5-q", "model", RELEASED, "meridian"),
            new Model("bge-small-zh-v1.5-q", "model", RELEASED, "meridian"));

    @Override
    public List<Model> models() {
        return BASE;
    }
}
