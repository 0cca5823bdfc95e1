package com.estatechat.directory.control;

import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.amqp.control.InboxArgumentsMismatch;
import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.identity.Broadcast;
import com.estatechat.identity.Role;
import com.rabbitmq.client.Channel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who is known, kept where the messages are: a user is known while it has an inbox in the broker,
 * which it gets when it first connects or when an admin provisions it. So every node agrees
 * without another store, and a send to an unknown id creates nothing: the broker returns the
 * message (see {@link com.estatechat.amqp.control.UnknownRecipient}). Each operation runs on a
 * short channel of its own, on a channel thread: never on the caller's (a container thread).
 */
@ApplicationScoped
public class UserDirectory {

    private static final Logger LOG = Logger.getLogger(UserDirectory.class.getName());

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    private interface ChannelWork {
        void run(Channel channel) throws IOException;
    }

    private interface BrokerWork {
        void run() throws IOException;
    }

    /**
     * Declares the user's inbox bound by its id and its role's broadcasts (and unbound from the
     * others), so that messages and broadcasts wait for it before it ever connects. Idempotent.
     *
     * @return completes once the broker has it; fails with
     *         {@link com.estatechat.amqp.control.BrokerUnavailable} when it cannot be reached
     */
    public CompletableFuture<Void> provision(String userId, Role role) {
        return onChannelThread("provision " + userId, () -> {
            try {
                withChannel(channel -> topology.declareInbox(channel, userId, Broadcast.keysFor(role),
                        Broadcast.keysNotFor(role)));
            } catch (InboxArgumentsMismatch e) {
                withChannel(channel -> topology.useExistingInbox(channel, userId, Broadcast.keysFor(role),
                        Broadcast.keysNotFor(role)));
            }
        }).thenRun(() -> LOG.info(() -> "Provisioned " + userId + " as " + role.wireName()));
    }

    /**
     * Deletes the user's inbox with every message waiting in it. The broker cancels its consumer on
     * every node, and each node closes the user's sessions (1008 "user removed"). Idempotent.
     */
    public CompletableFuture<Void> remove(String userId) {
        return onChannelThread("remove " + userId, () -> withChannel(channel -> topology.deleteInbox(channel, userId)))
                .thenRun(() -> LOG.info(() -> "Removed " + userId + " and its inbox"));
    }

    private CompletableFuture<Void> onChannelThread(String what, BrokerWork work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        broker.newChannelOwner(what).execute(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "Could not " + what);
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Runs the work and closes the channel: the close waits for the broker to have done every
     * method before it (the bindings are sent without waiting), and fails if one of them failed.
     */
    private void withChannel(ChannelWork work) throws IOException {
        Channel channel = broker.openChannel();
        try {
            work.run(channel);
            channel.close();
        } catch (TimeoutException e) {
            throw new IOException("the broker did not answer in time", e);
        } finally {
            if (channel.isOpen()) {
                channel.abort();
            }
        }
    }
}
