package dev.meridian.console.web;

import java.util.List;

/**
 * One page of a list the console shows (keys, members, usage rows), numbered from 1; a page out of range is the
 * nearest one. The tenant APIs answer these lists whole, so the console pages them itself, 50 rows a page.
 */
public record Paged<T>(List<T> items, int page, int pages, int total) {

    static final int SIZE = 50;

    static <T> Paged<T> of(List<T> all, int page) {
        return of(all, page, SIZE);
    }

    static <T> Paged<T> of(List<T> all, int page, int size) {
        int pages = Math.max(1, (all.size() + size - 1) / size);
        int current = Math.min(Math.max(page, 1), pages);
        int from = (current - 1) * size;
        return new Paged<>(List.copyOf(all.subList(from, Math.min(all.size(), from + size))), current, pages,
                all.size());
    }

    public boolean isEmpty() {
        return total == 0;
    }

    public boolean hasPrevious() {
        return page > 1;
    }

    public boolean hasNext() {
        return page < pages;
    }

    public int previous() {
        return page - 1;
    }

    public int next() {
        return page + 1;
    }
}
