/**
 * The {@code chat.*} configuration: keys read at start ({@code ChatSettings}; which they are:
 * {@code StartupKeys}), live keys re-read while running ({@code LiveSettings}, snapshot
 * {@code OperationalSettings}), and the readiness data that names keys waiting for a restart.
 */
package com.estatechat.settings;
