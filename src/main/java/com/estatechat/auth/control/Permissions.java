package com.estatechat.auth.control;

import com.estatechat.identity.Broadcast;
import com.estatechat.identity.Identity;
import com.estatechat.settings.LiveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Who may send to whom. Everyone may message individuals; only the roles in
 * {@code chat.broadcast-roles} (admins by default) may broadcast to a role; a token's
 * {@code contacts} claim limits its user to those ids.
 */
@ApplicationScoped
public class Permissions {

    @Inject
    LiveSettings live;

    /** Why the sender may not send to the target, or empty when it may. */
    public Optional<String> refusal(Identity sender, String target) {
        if (Broadcast.isBroadcast(target)) {
            return live.current().broadcastRoles().contains(sender.role()) ? Optional.empty()
                    : Optional.of("a " + sender.role().wireName() + " may not broadcast");
        }
        if (sender.contacts() != null && !sender.contacts().contains(target)) {
            return Optional.of(target + " is not among your contacts");
        }
        return Optional.empty();
    }
}
