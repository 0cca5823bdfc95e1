package com.estatechat.history.entity;

import java.util.List;

/** A page of one conversation, newest first; {@code more} when older messages remain. */
public record MessagePage(List<StoredMessage> messages, boolean more) {
}
