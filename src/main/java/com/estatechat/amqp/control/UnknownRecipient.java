package com.estatechat.amqp.control;

/**
 * The broker returned a publish for one user: no inbox is bound for that id, so the user is not
 * known (it never connected and was not provisioned, or was removed). Nothing was stored and
 * nothing was created.
 */
public class UnknownRecipient extends RuntimeException {

    public UnknownRecipient(String userId) {
        super("no inbox is bound for " + userId);
    }
}
