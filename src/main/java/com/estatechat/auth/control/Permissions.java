package com.estatechat.auth.control;

import com.estatechat.auth.entity.Broadcast;
import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;

/**
 * Who may send to whom. Everyone may message individuals; only the roles in
 * {@code chat.broadcast-roles} (admins by default) may broadcast to a role; a token's
 * {@code contacts} claim limits its user to those ids.
 */
@ApplicationScoped
public class Permissions {

    @Inject
    AuthSettings settings;

    private Set<Role> broadcasters;

    @PostConstruct
    void configure() {
        broadcasters = settings.broadcastRoles();
    }

    /** Why the sender may not send to the target, or empty when it may. */
    public Optional<String> refusal(Identity sender, String target) {
        if (Broadcast.isBroadcast(target)) {
            return broadcasters.contains(sender.role()) ? Optional.empty()
                    : Optional.of("a " + sender.role().wireName() + " may not broadcast");
        }
        if (sender.contacts() != null && !sender.contacts().contains(target)) {
            return Optional.of(target + " is not among your contacts");
        }
        return Optional.empty();
    }
}
