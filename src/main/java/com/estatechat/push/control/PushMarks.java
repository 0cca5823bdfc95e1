package com.estatechat.push.control;

import com.estatechat.history.control.ConversationStore;
import com.estatechat.history.control.StoreReads;
import com.estatechat.history.control.StoreUnavailable;
import com.estatechat.history.entity.MessageStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What push keeps in the conversation store ({@code chat_push_user}): per user, its switch and the
 * newest message a push covered (the mark). A push is claimed by moving the mark with a
 * conditional UPDATE from the value read, so of several nodes (or a due event seen twice) one
 * pushes each message at most once; it covers every message to the user still queued and newer
 * than the old mark, so messages that came while the user was away make one call.
 */
@ApplicationScoped
public class PushMarks {

    private static final String ENSURE_ROW = "INSERT INTO chat_push_user (user_id, enabled) VALUES (?, TRUE)"
            + " ON CONFLICT DO NOTHING";
    private static final String UNACKED = " FROM chat_message WHERE recipient_id = ? AND target_id = recipient_id"
            + " AND status = " + MessageStatus.QUEUED.rank() + " AND message_id > ?";

    @Inject
    ConversationStore store;

    /** The switch's calls from the REST API, off the container's threads and held to the user's share. */
    @Inject
    StoreReads calls;

    /**
     * What a claim found: the push this node makes, or none ({@code push} null), or that the store
     * has no row of the message yet ({@code notWritten}: the history writer lags the delay, as
     * after a restart, when both queues are consumed at once).
     */
    public record Claim(Push push, boolean notWritten) {
        static final Claim NONE = new Claim(null, false);
        static final Claim NOT_WRITTEN = new Claim(null, true);

        public Optional<Push> pushed() {
            return Optional.ofNullable(push);
        }
    }

    /**
     * Claims a push for {@code userId} because {@code dueId} reached its delay: none when the user
     * turned push off, a push already covered {@code dueId}, or {@code dueId} is no longer queued
     * (acked or read).
     */
    public Claim claim(String userId, String dueId, int previewChars) throws StoreUnavailable {
        // not waiting for the embedded store's write (up to half a second, one claim after another):
        // a claim lost in a crash pushes the same messages again, which a notification may
        return store.withConnection(connection -> {
            ensureRow(connection, userId);
            boolean enabled;
            String mark;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT enabled, pushed_up_to FROM chat_push_user WHERE user_id = ?")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    enabled = row.getBoolean(1);
                    mark = row.getString(2);
                }
            }
            if (!enabled || mark != null && mark.compareTo(dueId) >= 0) {
                return Claim.NONE;
            }
            Integer status = status(connection, userId, dueId);
            if (status == null) {
                return Claim.NOT_WRITTEN;
            }
            if (status != MessageStatus.QUEUED.rank()) {
                return Claim.NONE;
            }
            String after = mark == null ? "" : mark;
            int count;
            try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*)" + UNACKED)) {
                select.setString(1, userId);
                select.setString(2, after);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    count = row.getInt(1);
                }
            }
            Push push;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT message_id, sender_id, sender_role, sent_at, body" + UNACKED + " ORDER BY message_id DESC LIMIT 1")) {
                select.setString(1, userId);
                select.setString(2, after);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Claim.NONE;
                    }
                    push = Push.of(userId, row.getString(1), row.getString(2), row.getString(3),
                            row.getTimestamp(4).toInstant().toString(), row.getString(5), previewChars, count);
                }
            }
            String move = "UPDATE chat_push_user SET pushed_up_to = ? WHERE user_id = ? AND enabled = TRUE AND "
                    + (mark == null ? "pushed_up_to IS NULL" : "pushed_up_to = ?");
            try (PreparedStatement update = connection.prepareStatement(move)) {
                update.setString(1, push.messageId());
                update.setString(2, userId);
                if (mark != null) {
                    update.setString(3, mark);
                }
                // another node moved it first (or the user turned push off meanwhile): it is theirs
                return update.executeUpdate() == 1 ? new Claim(push, false) : Claim.NONE;
            }
        });
    }

    /** The message's status for the user, null when the store has no row of it. */
    private static Integer status(Connection connection, String userId, String messageId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT status FROM chat_message WHERE message_id = ? AND recipient_id = ?")) {
            select.setString(1, messageId);
            select.setString(2, userId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : null;
            }
        }
    }

    private static void ensureRow(Connection connection, String userId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(ENSURE_ROW)) {
            insert.setString(1, userId);
            insert.executeUpdate();
        }
    }

    /** Whether the user lets push reach it (on unless it turned it off). */
    public boolean enabled(String userId) throws StoreUnavailable {
        return store.withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT enabled FROM chat_push_user WHERE user_id = ?")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    return !row.next() || row.getBoolean(1);
                }
            }
        });
    }

    /** Turns push on or off for the user, from now on. */
    public void enable(String userId, boolean enabled) throws StoreUnavailable {
        store.writeWithConnection(connection -> {
            ensureRow(connection, userId);
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE chat_push_user SET enabled = ? WHERE user_id = ?")) {
                update.setBoolean(1, enabled);
                update.setString(2, userId);
                return update.executeUpdate();
            }
        });
    }

    /** {@link #enabled} off the caller's thread; fails with {@link StoreUnavailable}. */
    public CompletableFuture<Boolean> enabledLater(String userId) {
        return calls.limited(userId, () -> enabled(userId));
    }

    /** {@link #enable} off the caller's thread; fails with {@link StoreUnavailable}. */
    public CompletableFuture<Void> enableLater(String userId, boolean enabled) {
        return calls.limited(userId, () -> {
            enable(userId, enabled);
            return null;
        });
    }
}
