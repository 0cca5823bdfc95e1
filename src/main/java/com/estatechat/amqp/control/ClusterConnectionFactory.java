package com.estatechat.amqp.control;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ListAddressResolver;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link ConnectionFactory} whose every connection goes to one of several broker nodes
 * ({@code chat.amqp.addresses}), tried in random order until one answers: also the further
 * connections opened by name only, and each reconnection of automatic recovery (which keeps the
 * resolver its connection was opened with). User, password, virtual host and TLS come from
 * {@code chat.amqp.url} as before.
 */
final class ClusterConnectionFactory extends ConnectionFactory {

    private final List<Address> nodes;

    ClusterConnectionFactory(List<String> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no broker node");
        }
        this.nodes = addresses.stream().map(Address::parseAddress).toList();
    }

    /** Every {@code newConnection} comes here with the URL's host, or with whatever a caller passed: the nodes instead. */
    @Override
    protected AddressResolver createAddressResolver(List<Address> ignored) {
        return new ListAddressResolver(nodes);
    }

    /** The nodes, for log lines: {@code host:port,host:port}. */
    String nodes() {
        return nodes.stream().map(node -> node.getHost() + (node.getPort() < 0 ? "" : ":" + node.getPort()))
                .collect(Collectors.joining(","));
    }
}
