package com.estatechat.chat.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One sender's share of each recipient's inbox ({@code chat.inbox.max-per-sender}): how many of
 * its direct messages this node sent that the recipient has not received yet. A send takes a place
 * before it is published; its refusal, or the recipient's {@code delivered} receipt, gives it back.
 * A count that no receipt will ever lower (the message expired, the inbox was deleted, the receipt
 * was dropped) is forgotten once the sender has sent nothing to that recipient for a while
 * ({@link UserBudgets#FORGET_AFTER}); a receipt counted twice only lowers it early. Both err
 * towards letting the sender send.
 * <p>
 * Concurrency: any thread (a container thread takes, the sender's lane gives back). Each
 * recipient's count changes only inside the map's {@code compute}, nothing called under it.
 */
public final class InboxShares {

    /** Guarded by the map's bin lock. */
    private static final class Share {
        int waiting;
        long lastTaken;
    }

    private final ConcurrentMap<String, Share> byRecipient = new ConcurrentHashMap<>();

    /** Takes a place in {@code recipientId}'s inbox; false (nothing taken) when {@code max} are taken already. */
    public boolean take(String recipientId, int max, long now) {
        boolean[] taken = {false};
        byRecipient.compute(recipientId, (id, share) -> {
            Share s = share != null ? share : new Share();
            if (s.waiting < max) {
                s.waiting++;
                s.lastTaken = now;
                taken[0] = true;
            }
            return s.waiting == 0 ? null : s;
        });
        return taken[0];
    }

    /** A message to {@code recipientId} was refused, or delivered: its place is free. */
    public void giveBack(String recipientId) {
        byRecipient.computeIfPresent(recipientId, (id, share) -> --share.waiting <= 0 ? null : share);
    }

    /** How many places this sender holds in {@code recipientId}'s inbox. */
    public int waiting(String recipientId) {
        Share share = byRecipient.get(recipientId);
        return share == null ? 0 : share.waiting;
    }

    /** Forgets the counts of recipients this sender has sent nothing to since {@code before}. */
    public void forgetTakenBefore(long before) {
        byRecipient.keySet().forEach(id -> byRecipient.computeIfPresent(id,
                (key, share) -> share.lastTaken - before < 0 ? null : share));
    }

    public boolean isEmpty() {
        return byRecipient.isEmpty();
    }
}
