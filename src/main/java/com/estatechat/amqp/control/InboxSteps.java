package com.estatechat.amqp.control;

import com.estatechat.metrics.Meters;
import com.estatechat.metrics.StepMeter;

/**
 * The steps of starting an inbox consumer, timed ({@code chat.connect.inbox.*}): waiting for the
 * carrier's owner, the declare and binds, the consume.
 */
record InboxSteps(StepMeter queued, StepMeter declare, StepMeter consume) {

    static final InboxSteps NONE = new InboxSteps(StepMeter.NONE, StepMeter.NONE, StepMeter.NONE);

    static InboxSteps of(Meters meters) {
        return new InboxSteps(meters.step("chat.connect.inbox.queued"), meters.step("chat.connect.inbox.declare"),
                meters.step("chat.connect.inbox.consume"));
    }
}
