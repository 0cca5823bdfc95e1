package com.estatechat.chat.limits;

import com.estatechat.settings.LiveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Each user's {@link UserBudget} on this node, for as long as it differs from a new one: a user
 * who reconnects finds the budget it left. The {@link SessionRegistry} asks for a user's budget
 * when it creates the user's sessions, and has the budgets of users without sessions that are
 * whole again forgotten at each heartbeat round.
 * <p>
 * Concurrency: any thread; the registry takes and forgets under its own map entry's lock, so that
 * a budget is never forgotten while a new session of its user takes it (lock order: the
 * registry's entry, then this map's). Nothing else is called under either.
 */
@ApplicationScoped
public class UserBudgets {

    /** A share of a recipient's inbox no receipt lowered is forgotten after this long without a send to it. */
    static final Duration FORGET_AFTER = Duration.ofHours(24);

    @Inject
    LiveSettings settings;

    /** The clock of the inbox shares ({@link System#nanoTime()}); a test sets its own. */
    LongSupplier clock = System::nanoTime;

    private final ConcurrentMap<String, UserBudget> budgets = new ConcurrentHashMap<>();

    protected UserBudgets() {
        // for CDI
    }

    /** Outside CDI: unit tests. */
    public UserBudgets(LiveSettings settings) {
        this.settings = settings;
    }

    /** The user's budget, created whole when it has none. */
    public UserBudget of(String userId) {
        return budgets.computeIfAbsent(userId,
                id -> new UserBudget(new FrameRateLimit(() -> FrameRateLimit.Rate.of(settings.current()))));
    }

    /** Users whose budgets might be forgotten: their stale inbox shares dropped, what is left whole. */
    public List<String> forgettable() {
        long before = clock.getAsLong() - FORGET_AFTER.toNanos();
        budgets.values().forEach(budget -> budget.inboxShares().forgetTakenBefore(before));
        return budgets.entrySet().stream().filter(entry -> entry.getValue().whole()).map(java.util.Map.Entry::getKey)
                .toList();
    }

    /** Forgets the user's budget if it is still whole; the caller knows the user has no sessions here. */
    public void forget(String userId) {
        budgets.computeIfPresent(userId, (id, budget) -> budget.whole() ? null : budget);
    }

    /** Users with a budget kept: a test's view. */
    public int size() {
        return budgets.size();
    }
}
