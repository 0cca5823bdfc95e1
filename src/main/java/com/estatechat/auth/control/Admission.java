package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;

/** The outcome of checking a handshake: an identity, or the refusal to answer with. */
public record Admission(Identity identity, HandshakeRefusal refusal) {

    static Admission admit(Identity identity) {
        return new Admission(identity, null);
    }

    static Admission refuse(HandshakeRefusal refusal) {
        return new Admission(null, refusal);
    }

    public boolean admitted() {
        return identity != null;
    }
}
