package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Decides who a handshake is from. Auth mode {@code none} (the only one so far): the {@code id}
 * query parameter, and {@code role} (default tenant). Other modes ({@code header}, {@code jwt})
 * plug in here; the endpoint only ever sees the resulting {@link Identity}.
 */
@ApplicationScoped
public class IdentityResolver {

    public static final String ID_PARAMETER = "id";
    public static final String ROLE_PARAMETER = "role";

    public Admission resolve(HandshakeCredentials credentials) {
        String id = credentials.parameter().apply(ID_PARAMETER);
        if (id == null || id.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.badRequest("the id query parameter is required"));
        }
        if (!Identity.isValidUserId(id)) {
            return Admission.refuse(HandshakeRefusal.badRequest("id must be 1-64 characters of A-Z a-z 0-9 _ . -"));
        }
        String roleName = credentials.parameter().apply(ROLE_PARAMETER);
        Optional<Role> role = roleName == null ? Optional.of(Role.TENANT) : Role.fromWire(roleName);
        if (role.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.badRequest("role must be admin, landlord or tenant"));
        }
        return Admission.admit(new Identity(id, role.get()));
    }
}
