package com.estatechat.chaos;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Users chatting at a steady total rate: each tick a random connected user sends to a random
 * other one. The test swaps, drops and reconnects clients underneath ({@link #put}); a user whose
 * connection is down, or going away, sends nothing until it is back.
 */
final class ChaosTraffic implements AutoCloseable {

    private final List<String> users;
    private final Map<String, ChaosClient> clients = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private ScheduledExecutorService ticker;

    ChaosTraffic(List<String> users) {
        this.users = List.copyOf(users);
    }

    /** The connection a user sends on from now. */
    void put(ChaosClient client) {
        clients.put(client.userId(), client);
    }

    ChaosClient client(String user) {
        return clients.get(user);
    }

    /** Starts sending {@code perSecond} messages a second in all. */
    synchronized void start(int perSecond) {
        stop();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "chaos-traffic");
            thread.setDaemon(true);
            return thread;
        });
        long periodMicros = 1_000_000L / perSecond;
        ticker.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** A task that throws is never run again: record the failure, to fail the test at {@link #close()}. */
    private void sendOne() {
        try {
            sendRandom();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            throw e;
        }
    }

    private void sendRandom() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String from = users.get(random.nextInt(users.size()));
        String to = users.get(random.nextInt(users.size()));
        ChaosClient sender = clients.get(from);
        if (from.equals(to) || sender == null || !sender.maySend()) {
            return;
        }
        sender.sendMessage(to);
    }

    /** Stops sending (the connections stay as they are). */
    synchronized void stop() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes every connection; fails if sending failed (the traffic would have stopped unseen). */
    @Override
    public void close() {
        stop();
        clients.values().forEach(ChaosClient::close);
        if (failure.get() != null) {
            throw new AssertionError("the traffic stopped: a send failed", failure.get());
        }
    }
}
