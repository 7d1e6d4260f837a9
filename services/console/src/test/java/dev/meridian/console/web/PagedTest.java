package dev.meridian.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PagedTest {

    private static final List<Integer> HUNDRED_AND_ONE = IntStream.rangeClosed(1, 101).boxed().toList();

    @Test
    void cutsAListIntoPagesOfTheSizeAndSaysWhereThereAreMore() {
        var first = Paged.of(HUNDRED_AND_ONE, 1);
        assertThat(first.items()).hasSize(50).startsWith(1).endsWith(50);
        assertThat(first.pages()).isEqualTo(3);
        assertThat(first.total()).isEqualTo(101);
        assertThat(first.hasPrevious()).isFalse();
        assertThat(first.hasNext()).isTrue();
        assertThat(first.next()).isEqualTo(2);

        var last = Paged.of(HUNDRED_AND_ONE, 3);
        assertThat(last.items()).containsExactly(101);
        assertThat(last.hasNext()).isFalse();
        assertThat(last.previous()).isEqualTo(2);
    }

    @Test
    void aPageOutOfRangeIsTheNearestAndAnEmptyListIsOneEmptyPage() {
        assertThat(Paged.of(HUNDRED_AND_ONE, 7).page()).isEqualTo(3);
        assertThat(Paged.of(HUNDRED_AND_ONE, 0).page()).isEqualTo(1);
        var none = Paged.of(List.of(), 1);
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.pages()).isEqualTo(1);
        assertThat(none.hasNext()).isFalse();
    }
}
