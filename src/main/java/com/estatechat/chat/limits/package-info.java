/**
 * What one user may use, kept across its reconnects: its frame rate ({@code FrameRateLimit}) and its
 * share of each recipient's inbox ({@code InboxShares}), together its {@code UserBudget}; all of them
 * in {@link com.estatechat.chat.limits.UserBudgets}. The operator's numbers are in docs/operations.md
 * ("Threats and limits").
 */
package com.estatechat.chat.limits;
