/**
 * The REST application ({@code /api}) and {@code PUT/DELETE /api/users/{id}} (admins only).
 */
package com.estatechat.directory.boundary;
