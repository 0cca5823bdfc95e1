package com.estatechat.directory.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The REST API, under {@code /api}: the user directory ({@code /api/users}), the conversations
 * ({@code /api/conversations}, {@code /api/admin/conversations}) and the caller's push switch
 * ({@code /api/me/push}).
 */
@ApplicationPath("api")
public class ChatApi extends Application {
}
