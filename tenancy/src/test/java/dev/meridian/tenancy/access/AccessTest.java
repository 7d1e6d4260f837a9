package dev.meridian.tenancy.access;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.Role;
import org.junit.jupiter.api.Test;

class AccessTest {

    @Test
    void anAllowedRolePasses() {
        assertThatCode(() -> Access.requireRole(Role.ADMIN, Role.OWNER, Role.ADMIN)).doesNotThrowAnyException();
    }

    @Test
    void anotherRoleIsForbiddenNamingTheRolesNeeded() {
        assertThatThrownBy(() -> Access.requireRole(Role.DEVELOPER, Role.OWNER, Role.ADMIN))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("'developer'")
                .hasMessageContaining("owner or admin")
                .matches(e -> ((ApiException) e).status() == 403);
    }
}
