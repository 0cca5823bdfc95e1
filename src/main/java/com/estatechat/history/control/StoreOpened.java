package com.estatechat.history.control;

/** CDI event: the conversation store is open (its schema migrated); the history writer may consume. */
public record StoreOpened(String store) {
}
