/**
 * The conversation store: events travel through the history queue
 * ({@link com.estatechat.history.control.HistoryFeed}, coalesced) to one writer
 * ({@link com.estatechat.history.control.HistoryWriter}, in batches); reads run on
 * {@link com.estatechat.history.control.StoreReads}' threads, PostgreSQL or embedded H2.
 */
package com.estatechat.history.control;
