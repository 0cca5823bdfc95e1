package com.estatechat.directory.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.estatechat.identity.Role;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UsersResourceTest {

    @Test
    void aBodyAnnouncedOverTheLimitIsRefusedUnread() {
        InputStream neverRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read");
            }
        };
        assertThatThrownBy(() -> UsersResource.read(neverRead, UsersResource.MAX_BODY_BYTES + 1L))
                .isInstanceOf(UsersResource.BodyTooLarge.class);
    }

    @Test
    void aBodyWithoutLengthIsReadOneBytePastTheLimitAtMost() {
        byte[] large = new byte[10 * UsersResource.MAX_BODY_BYTES];
        ByteArrayInputStream body = new ByteArrayInputStream(large);
        assertThatThrownBy(() -> UsersResource.read(body, -1)).isInstanceOf(UsersResource.BodyTooLarge.class);
        assertThat(body.available()).isEqualTo(large.length - UsersResource.MAX_BODY_BYTES - 1);
    }

    @Test
    void aBodyAtTheLimitIsTaken() {
        String json = "{\"role\":\"landlord\"}" + " ".repeat(UsersResource.MAX_BODY_BYTES - 19);
        String read = UsersResource.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), -1);
        assertThat(UsersResource.roleOf(read)).isEqualTo(Role.LANDLORD);
    }
}
