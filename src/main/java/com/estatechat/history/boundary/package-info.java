/**
 * The conversation REST resources ({@code /api/conversations}, the admin's view) and the
 * store's readiness check.
 */
package com.estatechat.history.boundary;
