package dev.meridian.models.finetune.rest;

import dev.meridian.common.error.ApiException;

/** How many items a list call asks for: {@code ?limit=}, 1 to 100. */
final class PageLimit {

    private PageLimit() {
    }

    static int of(Integer limit, int fallback) {
        if (limit == null) {
            return fallback;
        }
        if (limit < 1 || limit > 100) {
            throw ApiException.of(400, "invalid_limit", "limit", "`limit` must be from 1 to 100; got " + limit + ".");
        }
        return limit;
    }
}
