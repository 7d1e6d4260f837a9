package dev.meridian.tenancy.members.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.tenancy.Member;
import dev.meridian.tenancy.Role;
import org.junit.jupiter.api.Test;

class MemberRulesTest {

    private static Member member(Role role, String status) {
        var m = new Member();
        m.role = role.wireName();
        m.status = status;
        return m;
    }

    @Test
    void onlyAnOwnerGrantsOrTakesTheOwnerRole() {
        assertThatCode(() -> MemberService.requireMayGrant(Role.OWNER, Role.OWNER)).doesNotThrowAnyException();
        assertThatCode(() -> MemberService.requireMayGrant(Role.ADMIN, Role.DEVELOPER)).doesNotThrowAnyException();
        assertThatThrownBy(() -> MemberService.requireMayGrant(Role.ADMIN, Role.OWNER))
                .hasMessageContaining("Only an owner").hasMessageContaining("'admin'");
    }

    @Test
    void theOnlyActiveOwnerIsTheLastOwner() {
        assertThat(MemberService.isLastOwner(member(Role.OWNER, Member.ACTIVE), 1)).isTrue();
        assertThat(MemberService.isLastOwner(member(Role.OWNER, Member.ACTIVE), 2)).isFalse();
        assertThat(MemberService.isLastOwner(member(Role.OWNER, Member.INVITED), 1)).isFalse();
        assertThat(MemberService.isLastOwner(member(Role.ADMIN, Member.ACTIVE), 1)).isFalse();
    }
}
