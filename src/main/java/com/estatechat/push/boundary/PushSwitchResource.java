package com.estatechat.push.boundary;

import com.estatechat.auth.boundary.ApiCaller;
import com.estatechat.history.control.StoreUnavailable;
import com.estatechat.history.control.TooManyReads;
import com.estatechat.push.control.PushMarks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The caller's own push switch: {@code GET /api/me/push} and {@code PUT /api/me/push}
 * {@code {"enabled":false}}. On unless the user turned it off; the user is always the caller.
 */
@ApplicationScoped
@Path("me/push")
@Produces(MediaType.APPLICATION_JSON)
public class PushSwitchResource {

    private static final Logger LOG = Logger.getLogger(PushSwitchResource.class.getName());
    private static final String SWITCH = "switch its push";

    @Inject
    ApiCaller callers;

    @Inject
    PushMarks marks;

    @GET
    public CompletionStage<Response> get(@Context HttpServletRequest request) {
        String userId = callers.identify(request, SWITCH).userId();
        return marks.enabledLater(userId).handle((enabled, failure) -> answer(enabled, failure));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> put(JsonObject body, @Context HttpServletRequest request) {
        String userId = callers.identify(request, SWITCH).userId();
        JsonValue enabled = body == null ? null : body.get("enabled");
        if (enabled != JsonValue.TRUE && enabled != JsonValue.FALSE) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    ApiCaller.badRequest("the body must be {\"enabled\": true or false}"));
        }
        boolean on = enabled == JsonValue.TRUE;
        return marks.enableLater(userId, on).handle((done, failure) -> answer(on, failure));
    }

    private static Response answer(Boolean enabled, Throwable failure) {
        if (failure == null) {
            return Response.ok(Json.createObjectBuilder().add("enabled", enabled).build().toString()).build();
        }
        Throwable cause = ApiCaller.causeOf(failure);
        if (cause instanceof TooManyReads refused) {
            // the caller's own flood, refused before it queued: not worth a line each
            LOG.log(Level.FINE, "Push switch refused: {0}", refused.getMessage());
            return ApiCaller.tooManyRequests("too many push switch calls; retry after Retry-After seconds",
                    refused.retryAfter());
        }
        if (cause instanceof StoreUnavailable) {
            LOG.log(Level.WARNING, "Push switch: " + cause.getMessage());
            return ApiCaller.unavailable("the conversation store is unavailable");
        }
        LOG.log(Level.SEVERE, "Push switch failed", cause);
        return ApiCaller.error(Response.Status.INTERNAL_SERVER_ERROR, "internal", "the switch failed");
    }
}
