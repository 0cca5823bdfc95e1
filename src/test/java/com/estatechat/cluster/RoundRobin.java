package com.estatechat.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A sender's side of the cluster tests: messages sent through its connections in turn, as a round-robin load balancer places them. */
final class RoundRobin {

    /** Sent at once, then answered: well within a sender's share of an inbox and the rate limit the tests set. */
    private static final int BATCH = 100;

    private RoundRobin() {
    }

    /** Sends {@code count} messages through the clients in turn and gives their ids, once each was queued. */
    static List<String> send(List<ChatClient> through, String target, String prefix, int count) {
        return send(through, target, prefix, count, batch -> { });
    }

    /** As {@link #send(List, String, String, int)}, telling {@code queued} the ids of each batch once it is queued. */
    static List<String> send(List<ChatClient> through, String target, String prefix, int count,
            Consumer<List<String>> queued) {
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < count; from += BATCH) {
            int to = Math.min(count, from + BATCH);
            for (int i = from; i < to; i++) {
                through.get(i % through.size()).sendMessage(target, prefix + " " + i, prefix + "-" + i);
            }
            List<String> batch = new ArrayList<>();
            for (int i = from; i < to; i++) {
                String clientMsgId = prefix + "-" + i;
                JsonObject answer = through.get(i % through.size()).next(f -> clientMsgId.equals(f.getString("client_msg_id", null))
                        && ("queued".equals(f.getString("status", null)) || "error".equals(f.getString("type", null))));
                assertThat(answer.getString("status", answer.toString())).as(clientMsgId).isEqualTo("queued");
                batch.add(answer.getString("message_id"));
            }
            queued.accept(batch);
            ids.addAll(batch);
        }
        return ids;
    }

    /** The {@code delivered} receipts {@code sender} gets for {@code messages}; none twice. */
    static Set<String> deliveredOnce(ChatClient sender, List<String> messages) {
        java.util.Map<String, JsonObject> delivered = new java.util.HashMap<>();
        List<String> twice = new ArrayList<>();
        while (!delivered.keySet().containsAll(messages)) {
            JsonObject receipt = sender.next(f -> "delivered".equals(f.getString("status", null)));
            JsonObject first = delivered.putIfAbsent(receipt.getString("message_id"), receipt);
            if (first != null) {
                twice.add(first + " then " + receipt);
            }
        }
        assertThat(twice).as("second delivered receipts at %s", sender.userId()).isEmpty();
        return delivered.keySet();
    }
}
