package dev.meridian.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void wireNamesAreTheLowerCaseRoleNames() {
        assertThat(Role.parse("developer")).contains(Role.DEVELOPER);
        assertThat(Role.parse("Developer")).isEmpty();
        assertThat(Role.wireNames()).isEqualTo("owner, admin, developer, billing, viewer");
    }
}
