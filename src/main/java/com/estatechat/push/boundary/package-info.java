/** Push's REST switch ({@code /api/me/push}) and readiness check. */
package com.estatechat.push.boundary;
