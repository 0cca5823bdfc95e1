package com.estatechat.auth.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawHandshake;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Mode none as the WAR ships it: loopback clients only, and readiness says there is no authentication. */
@ExtendWith(ArquillianExtension.class)
class NoneModeIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // the test helper allows remote clients (Arquillian connects through the machine's address): back to the default
        return Deployments.chat("nonemode", Map.of("chat.auth.mode", "none", "chat.auth.none.allow-remote", "false"));
    }

    @ArquillianResource
    URL base;

    private URI rootAt(String host) {
        URI root = Deployments.root(base, "nonemode");
        return URI.create(root.getScheme() + "://" + host + ":" + root.getPort() + root.getRawPath());
    }

    /** An address of this machine that is not loopback, and on which the server answers. */
    private Optional<String> ownRemoteAddress() throws SocketException {
        int port = Deployments.root(base, "nonemode").getPort();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    try (Socket probe = new Socket()) {
                        probe.connect(new InetSocketAddress(address, port), 2_000);
                        return Optional.of(address.getHostAddress());
                    } catch (java.io.IOException e) {
                        // not reachable on this one: try the next
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void aClientFromAnotherAddressIsRefusedAndALoopbackOneServed() throws Exception {
        Optional<String> remote = ownRemoteAddress();
        assumeTrue(remote.isPresent(), "this machine has no non-loopback address the server answers on");

        RawHandshake.Response refused = RawHandshake.send(ChatClient.uri(rootAt(remote.get()), user("rita"), null),
                Map.of());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("forbidden");

        String lou = user("lou");
        try (ChatClient local = ChatClient.connect(rootAt("127.0.0.1"), lou)) {
            assertThat(local.userId()).isEqualTo(lou);
        }
    }

    @Test
    void readinessIsUpAndWarnsThatThereIsNoAuthentication() throws Exception {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(rootAt("127.0.0.1").resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("authentication").contains("none").contains("loopback clients only");
    }
}
