package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Address;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConnectionFactoryTest {

    ClusterConnectionFactory cut = new ClusterConnectionFactory(List.of("127.0.0.1:5681", "rabbit2:5682", "rabbit3"));

    /**
     * {@code newConnection(name)}, which the further connections use, passes the URL's host: the
     * nodes must replace it, or those connections would all go to one node.
     */
    @Test
    void everyConnectionResolvesToTheNodesNotTheUrlsHost() throws IOException {
        List<Address> resolved = cut.createAddressResolver(List.of(new Address("url-host", 5672))).getAddresses();

        assertThat(resolved).containsExactly(new Address("127.0.0.1", 5681), new Address("rabbit2", 5682),
                new Address("rabbit3", -1));
    }

    @Test
    void theNodesReadAsTheyWereGiven() {
        assertThat(cut.nodes()).isEqualTo("127.0.0.1:5681,rabbit2:5682,rabbit3");
    }
}
