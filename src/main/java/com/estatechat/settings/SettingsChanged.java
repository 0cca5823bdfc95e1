package com.estatechat.settings;

/**
 * Fired on the {@code chat-settings} thread after a new {@link OperationalSettings} snapshot is in
 * force; an observer hands whatever it must redo to its own thread (no observer blocks the refresher).
 */
public record SettingsChanged(OperationalSettings before, OperationalSettings after) {
}
