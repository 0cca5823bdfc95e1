package com.estatechat.support;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.URI;

/**
 * The chat every server the WAR runs on must carry, for the tests of each server (WildFly, Payara
 * Server): a landlord and a tenant connected, the landlord's message queued, received and acked,
 * and the delivered receipt back to the landlord. What the store then holds is each server's test.
 */
public final class LandlordAndTenant implements AutoCloseable {

    public static final String TEXT = "The boiler is fixed";

    private final ChatClient landlord;
    private final ChatClient tenant;

    private LandlordAndTenant(ChatClient landlord, ChatClient tenant) {
        this.landlord = landlord;
        this.tenant = tenant;
    }

    /** Connects a new landlord and a new tenant to the application at {@code app}. */
    public static LandlordAndTenant connect(URI app) {
        ChatClient landlord = ChatClient.connect(app, user("alice"), "landlord");
        try {
            return new LandlordAndTenant(landlord, ChatClient.connect(app, user("bob")));
        } catch (RuntimeException | AssertionError e) {
            landlord.close();
            throw e;
        }
    }

    public ChatClient landlord() {
        return landlord;
    }

    public ChatClient tenant() {
        return tenant;
    }

    /** The landlord sends {@link #TEXT} to the tenant, with both receipts; returns the message's id. */
    public String messageTravelsWithBothReceipts() {
        landlord.sendMessage(tenant.userId(), TEXT, "c1");
        JsonObject queued = landlord.next("receipt");
        assertThat(queued.getString("status")).isEqualTo("queued");
        assertThat(queued.getString("client_msg_id")).isEqualTo("c1");
        String id = queued.getString("message_id");

        JsonObject message = tenant.receiveAndAck();
        assertThat(message.getString("message_id")).isEqualTo(id);
        assertThat(message.getString("sender_id")).isEqualTo(landlord.userId());
        assertThat(message.getString("sender_role")).isEqualTo("landlord");
        assertThat(message.getString("message")).isEqualTo(TEXT);

        JsonObject delivered = landlord.next(f -> "delivered".equals(f.getString("status", null)));
        assertThat(delivered.getString("message_id")).isEqualTo(id);
        assertThat(delivered.getString("target_id")).isEqualTo(tenant.userId());
        return id;
    }

    @Override
    public void close() {
        try {
            tenant.close();
        } finally {
            landlord.close();
        }
    }
}
