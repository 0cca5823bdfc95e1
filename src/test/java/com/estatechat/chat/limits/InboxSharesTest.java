package com.estatechat.chat.limits;

import com.estatechat.chat.limits.InboxShares;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One sender's places in recipients' inboxes. */
class InboxSharesTest {

    final InboxShares cut = new InboxShares();

    @Test
    void placesAreTakenUpToTheShareAndGivenBackOneByOne() {
        assertThat(cut.take("bob", 2, 0)).isTrue();
        assertThat(cut.take("bob", 2, 0)).isTrue();
        assertThat(cut.take("bob", 2, 0)).isFalse();
        assertThat(cut.take("carol", 2, 0)).as("another recipient's inbox").isTrue();

        cut.giveBack("bob");
        assertThat(cut.waiting("bob")).isEqualTo(1);
        cut.giveBack("bob");
        cut.giveBack("bob"); // a receipt counted twice: no debt
        assertThat(cut.waiting("bob")).isZero();
        cut.giveBack("carol");
        assertThat(cut.isEmpty()).isTrue();
    }

    /** A count no receipt will lower (the message expired, the receipt was dropped) does not block the sender for good. */
    @Test
    void aRecipientNotSentToSinceTheCutOffIsForgotten() {
        long day = Duration.ofDays(1).toNanos();
        cut.take("away", 5, 0);
        cut.take("recent", 5, day);

        cut.forgetTakenBefore(day);

        assertThat(cut.waiting("away")).isZero();
        assertThat(cut.waiting("recent")).isEqualTo(1);
    }
}
