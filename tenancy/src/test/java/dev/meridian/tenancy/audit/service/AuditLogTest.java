package dev.meridian.tenancy.audit.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    @Test
    void pageSizeDefaultsTo50AndStaysWithin1To200() {
        assertThat(AuditLog.pageSize(null)).isEqualTo(50);
        assertThat(AuditLog.pageSize("1")).isEqualTo(1);
        assertThat(AuditLog.pageSize("200")).isEqualTo(200);
        assertThatThrownBy(() -> AuditLog.pageSize("0")).hasMessageContaining("`limit`");
        assertThatThrownBy(() -> AuditLog.pageSize("201")).hasMessageContaining("from 1 to 200");
        assertThatThrownBy(() -> AuditLog.pageSize("ten")).hasMessageContaining("'ten'");
    }

    @Test
    void beforeIsAnEventIdOrATime() {
        UUID id = UUID.randomUUID();
        assertThat(AuditLog.Cursor.parse(null)).isInstanceOf(AuditLog.Cursor.Newest.class);
        assertThat(AuditLog.Cursor.parse(id.toString())).isEqualTo(new AuditLog.Cursor.BeforeEvent(id));
        assertThat(AuditLog.Cursor.parse("2030-01-31T12:00:00Z"))
                .isEqualTo(new AuditLog.Cursor.BeforeTime(Instant.parse("2030-01-31T12:00:00Z")));
        assertThatThrownBy(() -> AuditLog.Cursor.parse("yesterday")).hasMessageContaining("`before`");
    }
}
