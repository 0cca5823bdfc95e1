package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.settings.TestSettings;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PermissionsTest {

    Permissions cut;

    @BeforeEach
    void defaults() {
        cut = new Permissions();
        cut.live = TestSettings.live(Map.of());
    }

    @Test
    void onlyAdminsBroadcast() {
        assertThat(cut.refusal(Identity.of("root", Role.ADMIN), "role:tenant")).isEmpty();
        assertThat(cut.refusal(Identity.of("root", Role.ADMIN), "role:*")).isEmpty();
        assertThat(cut.refusal(Identity.of("lee", Role.LANDLORD), "role:tenant")).isPresent();
        assertThat(cut.refusal(Identity.of("tia", Role.TENANT), "role:*")).isPresent();
    }

    @Test
    void everyoneMessagesIndividualsUnlessContactsSayOtherwise() {
        assertThat(cut.refusal(Identity.of("tia", Role.TENANT), "lee")).isEmpty();
        Identity restricted = new Identity("tia", Role.TENANT, null, Set.of("lee"));
        assertThat(cut.refusal(restricted, "lee")).isEmpty();
        assertThat(cut.refusal(restricted, "someone-else")).hasValueSatisfying(r -> assertThat(r).contains("contacts"));
    }
}
