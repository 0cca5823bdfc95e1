package com.estatechat.history.boundary;

import com.estatechat.auth.boundary.ApiCaller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * The caller's own conversations, for a device that has none of them yet: the list
 * ({@code GET /api/conversations}) and one conversation, page by page
 * ({@code GET /api/conversations/{peerId}/messages?before=&limit=}). The viewer is always the
 * caller's identity, never a parameter.
 */
@ApplicationScoped
@Path("conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationsResource {

    private static final String READ_HISTORY = "read conversations";

    @Inject
    ApiCaller callers;

    @Inject
    ConversationAnswers answers;

    @GET
    public CompletionStage<Response> conversations(@Context HttpServletRequest request) {
        return answers.conversations(callers.identify(request, READ_HISTORY).userId());
    }

    @GET
    @Path("{peerId}/messages")
    public CompletionStage<Response> messages(@PathParam("peerId") String peerId, @QueryParam("before") String before,
            @QueryParam("limit") String limit, @Context HttpServletRequest request) {
        String callerId = callers.identify(request, READ_HISTORY).userId();
        return answers.messages(callerId, callerId, peerId, before, limit);
    }
}
