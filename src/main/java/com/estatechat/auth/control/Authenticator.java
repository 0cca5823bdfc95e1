package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;

/** One way of telling who a handshake is from; one implementation per {@code chat.auth.mode}. */
interface Authenticator {

    Admission authenticate(HandshakeCredentials credentials);
}
