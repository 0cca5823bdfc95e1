package com.estatechat.directory.boundary;

import com.estatechat.amqp.control.BrokerUnavailable;
import com.estatechat.auth.boundary.ApiCaller;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.directory.control.UserDirectory;
import com.estatechat.history.control.StoreReads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The user directory: an admin provisions a user ({@code PUT /api/users/{id}} with
 * {@code {"role":"tenant"}}) so that messages and broadcasts wait for it before it first connects,
 * or removes one ({@code DELETE}) with its inbox and its stored messages. Callers prove who they are as a WebSocket
 * handshake does ({@code Authorization: Bearer} in jwt mode). The broker work completes
 * asynchronously: no container thread waits for it.
 */
@ApplicationScoped
@Path("users/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class UsersResource {

    private static final Logger LOG = Logger.getLogger(UsersResource.class.getName());

    private static final String CHANGE_USERS = "change users";
    /** {@code {"role":"landlord"}} is 19 bytes: room for whitespace, far from what would cost memory. */
    static final int MAX_BODY_BYTES = 4096;

    @Inject
    ApiCaller callers;

    @Inject
    UserDirectory directory;

    @Inject
    StoreReads history;

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> provision(@PathParam("id") String userId, InputStream body,
            @Context HttpServletRequest request) {
        // a stream, not a String: JAX-RS would read all of a String body before the caller is checked
        callers.admin(request, CHANGE_USERS);
        Optional<Response> refused = checkUserId(userId);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(refused.get());
        }
        Role role;
        try {
            role = roleOf(read(body, request.getContentLengthLong()));
        } catch (BodyTooLarge e) {
            return CompletableFuture.completedFuture(ApiCaller.error(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "too_large", "the body is at most " + MAX_BODY_BYTES + " bytes"));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ApiCaller.badRequest(e.getMessage()));
        }
        return directory.provision(userId, role)
                .thenApply(done -> Response.ok(Json.createObjectBuilder().add("user_id", userId)
                        .add("role", role.wireName()).build().toString()).build())
                .exceptionally(failure -> unavailable("provision " + userId, failure));
    }

    @DELETE
    public CompletionStage<Response> remove(@PathParam("id") String userId, @Context HttpServletRequest request) {
        callers.admin(request, CHANGE_USERS);
        Optional<Response> refused = checkUserId(userId);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(refused.get());
        }
        return directory.remove(userId)
                .thenCompose(removed -> history.erase(userId)
                        .thenApply(rows -> {
                            LOG.info(() -> "Deleted the " + rows + " stored messages of " + userId);
                            return Response.noContent().build();
                        })
                        .exceptionally(failure -> {
                            LOG.log(Level.WARNING, failure, () -> "Removed " + userId + " but could not delete its"
                                    + " stored messages");
                            return ApiCaller.unavailable("the user was removed but its stored messages were not deleted;"
                                    + " send the DELETE again");
                        }))
                .exceptionally(failure -> unavailable("remove " + userId, failure));
    }

    private static Optional<Response> checkUserId(String userId) {
        return Identity.isValidUserId(userId) ? Optional.empty()
                : Optional.of(ApiCaller.badRequest(Identity.USER_ID_RULE));
    }

    /**
     * At most {@value #MAX_BODY_BYTES} bytes of the body, as UTF-8: a larger one is refused from its
     * {@code Content-Length} unread, or once one byte past the limit was read.
     */
    static String read(InputStream body, long contentLength) {
        if (contentLength > MAX_BODY_BYTES) {
            throw new BodyTooLarge();
        }
        try {
            byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BodyTooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body could not be read");
        }
    }

    /** A body over {@value #MAX_BODY_BYTES} bytes: answered 413. */
    static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    /** The body {@code {"role":"tenant"|"landlord"|"admin"}}; nothing else is taken. */
    static Role roleOf(String body) {
        JsonObject object;
        try {
            JsonValue value = Json.createReader(new StringReader(body == null ? "" : body)).readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException("the body must be a JSON object like {\"role\":\"tenant\"}");
            }
            object = value.asJsonObject();
        } catch (JsonException e) {
            throw new IllegalArgumentException("the body is not JSON; send {\"role\":\"tenant\"}");
        }
        if (!(object.get("role") instanceof JsonString role)) {
            throw new IllegalArgumentException("role is required: tenant, landlord or admin");
        }
        return Role.fromWire(role.getString()).orElseThrow(
                () -> new IllegalArgumentException("role must be tenant, landlord or admin"));
    }

    private static Response unavailable(String what, Throwable failure) {
        Throwable cause = ApiCaller.causeOf(failure);
        LOG.log(Level.FINE, cause, () -> "Could not " + what);
        return ApiCaller.unavailable(cause instanceof BrokerUnavailable ? "the message broker is unavailable; retry later"
                : "the message broker refused the change; see the server log");
    }
}
