package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Broadcasts to a role go durably to every inbox of that role; only admins may send them. */
@ExtendWith(ArquillianExtension.class)
class BroadcastIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("broadcast", Map.of());
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "broadcast");
    }

    @Test
    void tenantsAndLandlordsMayNotBroadcast() {
        try (ChatClient t = ChatClient.connect(base(), user("tia"), "tenant");
                ChatClient l = ChatClient.connect(base(), user("lee"), "landlord")) {
            t.sendMessage("role:tenant", "party at mine", "b1");
            JsonObject refused = t.next();
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            assertThat(refused.getString("client_msg_id")).isEqualTo("b1");
            l.sendMessage("role:*", "rent goes up", "b2");
            assertThat(l.next().getString("code")).isEqualTo("forbidden");
        }
    }

    @Test
    void adminBroadcastReachesEveryTenantOnlineOrNotAndNoLandlord() {
        String admin = user("root");
        String onlineTenant = user("tia");
        String offlineTenant = user("tom");
        String landlord = user("lee");
        ChatClient.connect(base(), offlineTenant, "tenant").close(); // has connected once, is offline now
        try (ChatClient a = ChatClient.connect(base(), admin, "admin");
                ChatClient t = ChatClient.connect(base(), onlineTenant, "tenant");
                ChatClient l = ChatClient.connect(base(), landlord, "landlord")) {
            a.sendMessage("role:tenant", "Water off on Friday", "w1");
            JsonObject queued = a.next();
            assertThat(queued.getString("status")).isEqualTo("queued");
            String id = queued.getString("message_id");

            JsonObject live = t.receiveAndAck();
            assertThat(live.getString("message_id")).isEqualTo(id);
            assertThat(live.getString("sender_role")).isEqualTo("admin");
            assertThat(live.getString("target_id")).isEqualTo("role:tenant");

            try (ChatClient late = ChatClient.connect(base(), offlineTenant, "tenant")) {
                assertThat(late.receiveAndAck().getString("message_id")).isEqualTo(id);
            }
            // each recipient acked on its own: one delivered receipt from each, naming them
            Set<String> deliveredTo = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonObject receipt = a.next(f -> "delivered".equals(f.getString("status", null)));
                assertThat(receipt.getString("message_id")).isEqualTo(id);
                deliveredTo.add(receipt.getString("target_id"));
            }
            assertThat(deliveredTo).containsExactlyInAnyOrder(onlineTenant, offlineTenant);

            // the landlord got nothing: the next thing he sees is a message sent to him now
            a.sendMessage(landlord, "and you?", null);
            assertThat(l.next("message").getString("message")).isEqualTo("and you?");
        }
    }

    @Test
    void broadcastToEveryoneReachesEveryRole() {
        String admin = user("root");
        try (ChatClient a = ChatClient.connect(base(), admin, "admin");
                ChatClient t = ChatClient.connect(base(), user("tia"), "tenant");
                ChatClient l = ChatClient.connect(base(), user("lee"), "landlord")) {
            a.sendMessage("role:*", "Maintenance tonight", null);
            String id = a.next("receipt").getString("message_id");
            assertThat(t.receiveAndAck().getString("message_id")).isEqualTo(id);
            assertThat(l.receiveAndAck().getString("message_id")).isEqualTo(id);
            JsonObject own = a.next("message");
            assertThat(own.getString("message_id")).as("the admin is everyone too").isEqualTo(id);
            a.ack(id);
        }
    }
}
