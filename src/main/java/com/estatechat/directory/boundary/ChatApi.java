package com.estatechat.directory.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The REST API, under {@code /api}: the user directory ({@code /api/users}) and the conversations
 * ({@code /api/conversations}, {@code /api/admin/conversations}).
 */
@ApplicationPath("api")
public class ChatApi extends Application {
}
