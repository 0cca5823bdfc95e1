package com.estatechat.auth.boundary;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.logging.LogText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * Who calls the REST API, told as a WebSocket handshake tells it ({@code Authorization: Bearer}
 * in jwt mode, {@code id} and {@code role} parameters in mode none), and the JSON error body
 * {@code {"error","message"}} that every resource answers with.
 */
@ApplicationScoped
public class ApiCaller {

    private static final Logger LOG = Logger.getLogger(ApiCaller.class.getName());

    @Inject
    IdentityResolver identities;

    /**
     * The caller's identity.
     *
     * @param what what the call does, for the log and the 403's message ("use the directory")
     * @throws WebApplicationException 400, 401 or 403 with the error body: JAX-RS answers with it
     */
    public Identity identify(HttpServletRequest request, String what) {
        Admission admission = identities.resolveApiCall(
                new HandshakeCredentials(request::getParameter, request::getHeader), request.getRemoteAddr());
        if (admission.admitted()) {
            return admission.identity();
        }
        LOG.fine(() -> "Refused a call to " + what + " from " + request.getRemoteAddr() + ": "
                + admission.refusal().status() + " " + LogText.of(admission.refusal().reason()));
        // the reason may carry a library's words: it goes to the log, the caller gets the status
        throw new WebApplicationException(switch (admission.refusal().status()) {
            case 400 -> badRequest("the caller's identity is malformed");
            case 401 -> error(Response.Status.UNAUTHORIZED, "unauthorized", "a valid identity is required");
            default -> forbidden("this caller may not " + what);
        });
    }

    /**
     * The caller's identity, which must be an admin's.
     *
     * @throws WebApplicationException as {@link #identify}, and 403 for any other role
     */
    public Identity admin(HttpServletRequest request, String what) {
        Identity caller = identify(request, what);
        if (caller.role() != Role.ADMIN) {
            throw new WebApplicationException(forbidden("only an admin may " + what));
        }
        return caller;
    }

    public static Response badRequest(String message) {
        return error(Response.Status.BAD_REQUEST, "bad_request", message);
    }

    public static Response forbidden(String message) {
        return error(Response.Status.FORBIDDEN, "forbidden", message);
    }

    public static Response unavailable(String message) {
        return error(Response.Status.SERVICE_UNAVAILABLE, "unavailable", message);
    }

    /**
     * 429 with {@code Retry-After} in whole seconds (at least 1, as HTTP allows no less) and the
     * exact wait as {@code retry_after_ms} in the body.
     */
    public static Response tooManyRequests(String message, Duration retryAfter) {
        long millis = Math.max(1, retryAfter.toMillis());
        return Response.status(Response.Status.TOO_MANY_REQUESTS).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", Math.max(1, (millis + 999) / 1000))
                .entity(Json.createObjectBuilder().add("error", "too_many_requests").add("message", message)
                        .add("retry_after_ms", millis).build().toString())
                .build();
    }

    /** What failed a {@code CompletableFuture}, without the {@code CompletionException} around it. */
    public static Throwable causeOf(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    public static Response error(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("error", code).add("message", message).build().toString())
                .build();
    }
}
