package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import java.util.Optional;

/** Mode {@code none}: the {@code id} query parameter is the user, {@code role} (default tenant) the role. */
class OpenAuthenticator implements Authenticator {

    @Override
    public Admission authenticate(HandshakeCredentials credentials) {
        return claimedIdentity(credentials);
    }

    /** The identity the query parameters claim, or a 400 when they are malformed. */
    static Admission claimedIdentity(HandshakeCredentials credentials) {
        String id = credentials.parameter().apply(IdentityResolver.ID_PARAMETER);
        if (id == null || id.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.badRequest("the id query parameter is required"));
        }
        if (!Identity.isValidUserId(id)) {
            return Admission.refuse(HandshakeRefusal.badRequest("id must be 1-64 characters of A-Z a-z 0-9 _ . -"));
        }
        String roleName = credentials.parameter().apply(IdentityResolver.ROLE_PARAMETER);
        Optional<Role> role = roleName == null ? Optional.of(Role.TENANT) : Role.fromWire(roleName);
        if (role.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.badRequest("role must be admin, landlord or tenant"));
        }
        return Admission.admit(Identity.of(id, role.get()));
    }
}
