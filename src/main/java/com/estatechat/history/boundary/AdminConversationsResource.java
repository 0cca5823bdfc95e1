package com.estatechat.history.boundary;

import com.estatechat.auth.boundary.ApiCaller;
import com.estatechat.identity.Identity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * Any user's conversation with a peer, as that user sees it, for admins only:
 * {@code GET /api/admin/conversations?user=&peer=&before=&limit=}. Each call is logged with the
 * admin's id: reading other people's messages leaves a trace.
 */
@ApplicationScoped
@Path("admin/conversations")
@Produces(MediaType.APPLICATION_JSON)
public class AdminConversationsResource {

    private static final Logger LOG = Logger.getLogger(AdminConversationsResource.class.getName());

    @Inject
    ApiCaller callers;

    @Inject
    ConversationAnswers answers;

    @GET
    public CompletionStage<Response> messages(@QueryParam("user") String userId, @QueryParam("peer") String peerId,
            @QueryParam("before") String before, @QueryParam("limit") String limit,
            @Context HttpServletRequest request) {
        Identity admin = callers.admin(request, "read other users' conversations");
        if (!Identity.isValidUserId(userId)) {
            return ConversationAnswers.bad("user is required: " + Identity.USER_ID_RULE);
        }
        if (!ConversationAnswers.isPeer(peerId)) {
            return ConversationAnswers.bad("peer is required: " + ConversationAnswers.PEER_RULE);
        }
        LOG.info(() -> "Admin " + admin.userId() + " reads the conversation of " + userId + " with " + peerId);
        return answers.messages(admin.userId(), userId, peerId, before, limit);
    }
}
