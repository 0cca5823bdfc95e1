package com.estatechat.history.boundary;

import com.estatechat.auth.boundary.ApiCaller;
import com.estatechat.identity.Broadcast;
import com.estatechat.identity.Identity;
import com.estatechat.history.control.MessageIds;
import com.estatechat.history.control.ConversationQueries;
import com.estatechat.history.control.StoreReads;
import com.estatechat.history.control.StoreUnavailable;
import com.estatechat.history.control.TooManyReads;
import com.estatechat.history.entity.Conversation;
import com.estatechat.history.entity.MessagePage;
import com.estatechat.history.entity.StoredMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The answers of the conversation endpoints, for a viewer the resource has already decided on:
 * checks the paging parameters, reads the conversation store on its threads (never the request
 * thread) and writes the JSON. A store that is not open or fails is a 503.
 */
@ApplicationScoped
public class ConversationAnswers {

    private static final Logger LOG = Logger.getLogger(ConversationAnswers.class.getName());

    static final int MAX_CONVERSATIONS = 200;
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final String PEER_RULE = "the peer is a user id (" + Identity.USER_ID_RULE + ") or a role key: role:tenant,"
            + " role:landlord, role:admin or role:*";

    @Inject
    StoreReads store;

    /** {@code {"conversations":[{"peer_id","last_message","unread"}…]}}, newest first. */
    public CompletionStage<Response> conversations(String viewerId) {
        return answer(viewerId, viewerId, ConversationQueries.conversations(viewerId, MAX_CONVERSATIONS),
                ConversationAnswers::conversationsJson);
    }

    /**
     * {@code {"messages":[…newest first],"more":…}} between the viewer and the peer; 400 for a bad
     * parameter. The caller is who asks: the viewer, or an admin reading the viewer's conversation.
     */
    public CompletionStage<Response> messages(String callerId, String viewerId, String peerId, String before,
            String limit) {
        if (!isPeer(peerId)) {
            return bad(PEER_RULE);
        }
        if (before != null && !MessageIds.isMessageId(before)) {
            return bad("before is a message_id: 36 characters of 0-9, a-f and '-'");
        }
        int pageSize;
        try {
            pageSize = limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            pageSize = 0;
        }
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            return bad("limit is a number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
        }
        return answer(callerId, viewerId, ConversationQueries.messages(viewerId, peerId, before, pageSize),
                ConversationAnswers::pageJson);
    }

    /** A conversation's peer: a user, or a role key (the viewer's own broadcasts). */
    static boolean isPeer(String peerId) {
        return Identity.isValidUserId(peerId) || Broadcast.isValid(peerId);
    }

    static CompletionStage<Response> bad(String message) {
        return CompletableFuture.completedFuture(ApiCaller.badRequest(message));
    }

    /** Reads on the store's threads and writes the JSON there too: the request thread does not wait for either. */
    private <T> CompletionStage<Response> answer(String callerId, String viewerId, Function<EntityManager, T> query,
            Function<T, JsonObject> json) {
        return store.read(callerId, query)
                .thenApply(result -> Response.ok(json.apply(result).toString(), MediaType.APPLICATION_JSON).build())
                .exceptionally(failure -> {
                    Throwable cause = ApiCaller.causeOf(failure);
                    if (cause instanceof TooManyReads refused) {
                        // refused before it queued: cheap, and the flooder's own doing; not worth a line each
                        LOG.log(Level.FINE, () -> "History call of " + callerId + " refused: " + refused.getMessage());
                        return ApiCaller.tooManyRequests("too many history calls; retry after Retry-After seconds",
                                refused.retryAfter());
                    }
                    if (cause instanceof StoreUnavailable) {
                        // the store logs its own outage; this is one caller's view of it
                        LOG.log(Level.FINE, cause, () -> "History of " + viewerId + " not read");
                        return ApiCaller.unavailable("the conversation store is unavailable; retry later");
                    }
                    LOG.log(Level.WARNING, cause, () -> "Answering " + viewerId + "'s history call failed");
                    throw failure instanceof CompletionException completion ? completion
                            : new CompletionException(cause);
                });
    }

    private static JsonObject conversationsJson(List<Conversation> conversations) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        conversations.forEach(conversation -> array.add(Json.createObjectBuilder()
                .add("peer_id", conversation.peerId())
                .add("last_message", message(conversation.lastMessage()))
                .add("unread", conversation.unread())));
        return Json.createObjectBuilder().add("conversations", array).build();
    }

    private static JsonObject pageJson(MessagePage page) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        page.messages().forEach(message -> array.add(message(message)));
        return Json.createObjectBuilder().add("messages", array).add("more", page.more()).build();
    }

    /** A message as the WebSocket's message frame has it, with its status and when it changed. */
    static JsonObject message(StoredMessage row) {
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("message_id", row.messageId())
                .add("sender_id", row.senderId())
                .add("sender_role", row.senderRole())
                .add("target_id", row.targetId())
                .add("message", row.body())
                .add("sent_at", instant(row.sentAt()))
                .add("status", row.status().wireName());
        if (row.clientMsgId() != null) {
            json.add("client_msg_id", row.clientMsgId());
        }
        if (row.deliveredAt() != null) {
            json.add("delivered_at", instant(row.deliveredAt()));
        }
        if (row.readAt() != null) {
            json.add("read_at", instant(row.readAt()));
        }
        return json.build();
    }

    private static String instant(OffsetDateTime at) {
        return at.toInstant().toString();
    }
}
