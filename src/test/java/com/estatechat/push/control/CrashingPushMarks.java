package com.estatechat.push.control;

import com.estatechat.history.control.TestStores;

/**
 * A process that turns push off for a user in an embedded store and dies at once, as under
 * {@code kill -9} ({@link PushMarksCrashTest}).
 *
 * <p>{@code CrashingPushMarks <embedded path> off <user id>}.
 */
public final class CrashingPushMarks {

    private CrashingPushMarks() {
    }

    public static void main(String[] args) throws Exception {
        PushMarks marks = new PushMarks();
        marks.store = TestStores.open("h2", args[0]);
        switch (args[1]) {
            case "off" -> marks.enable(args[2], false);
            default -> throw new IllegalArgumentException(args[1]);
        }
        TestStores.halt();
    }
}
