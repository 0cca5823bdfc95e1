package com.estatechat.auth.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Mode header: the original server's shared secret in the Authorization header. */
@ExtendWith(ArquillianExtension.class)
class SharedSecretAuthIT {

    static final String SECRET = "original-AUTHHEADER-value";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("header", Map.of("chat.auth.mode", "header", "chat.auth.header-secret", SECRET));
    }

    @ArquillianResource
    URL base;

    @Test
    void theSharedSecretAdmitsAndAnythingElseIs401() {
        URI root = Deployments.root(base, "header");
        String alice = user("alice");
        URI uri = ChatClient.uri(root, alice, "landlord");
        String bob = user("bob");
        try (ChatClient b = ChatClient.connect(ChatClient.uri(root, bob, null), bob, "tenant",
                Map.of("Authorization", SECRET))) {
            assertThat(b.userId()).isEqualTo(bob); // now known
        }
        try (ChatClient a = ChatClient.connect(uri, alice, "landlord", Map.of("Authorization", SECRET))) {
            a.sendMessage(bob, "hi", null);
            assertThat(a.next().getString("status")).isEqualTo("queued");
        }
        assertThat(ChatClient.refusedStatus(uri, Map.of("Authorization", SECRET + "x"))).isEqualTo(401);
        assertThat(ChatClient.refusedStatus(uri, Map.of())).isEqualTo(401);
    }
}
