package com.estatechat.history.control;

/** The conversation store cannot be reached or used now; the message says why, naming a setting where one applies. */
public class StoreUnavailable extends Exception {

    private static final long serialVersionUID = 1L;

    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
