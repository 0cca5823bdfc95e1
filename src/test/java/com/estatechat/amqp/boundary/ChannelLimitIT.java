package com.estatechat.amqp.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Online users' consumers share channels, a few per channel; a connection carries a limited number
 * of channels (RabbitMQ's channel_max is 2,047). With two consumers per channel and three channels
 * per connection here, users past the first connection's channels must still get their messages:
 * the server opens further connections.
 */
@ExtendWith(ArquillianExtension.class)
class ChannelLimitIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("channels", Map.of("chat.amqp.channels-per-connection", "3",
                "chat.amqp.consumers-per-channel", "2"));
    }

    @ArquillianResource
    URL base;

    @Test
    void usersBeyondOneConnectionsChannelsStillReceive() {
        URI root = Deployments.root(base, "channels");
        List<ChatClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                clients.add(ChatClient.connect(root, user("u" + i)));
            }
            for (int i = 0; i < clients.size(); i++) {
                ChatClient sender = clients.get(i);
                ChatClient recipient = clients.get((i + 1) % clients.size());
                sender.sendMessage(recipient.userId(), "hello " + i, null);
                assertThat(sender.next("receipt").getString("status")).isEqualTo("queued");
                assertThat(recipient.receiveAndAck().getString("message")).isEqualTo("hello " + i);
            }
        } finally {
            clients.forEach(ChatClient::close);
        }
    }
}
