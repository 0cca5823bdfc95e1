package com.estatechat.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ProbesWhileStartingTest {

    private final ProbesWhileStarting cut = new ProbesWhileStarting();

    /** As Payara's config injection throws for a probe that comes before the application started. */
    private static HealthCheckResponse configNotInPlace() {
        throw new NoSuchElementException("No value present");
    }

    @Test
    void aCheckThatThrowsBeforeTheStartIsDownStarting() {
        HealthCheckResponse response = cut.answer("conversation-store", ProbesWhileStartingTest::configNotInPlace);

        assertThat(response.getName()).isEqualTo("conversation-store");
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data).containsEntry("reason", "starting"));
    }

    @Test
    void aCheckThatThrowsAfterTheStartThrows() {
        cut.started(new Object());

        assertThatThrownBy(() -> cut.answer("conversation-store", ProbesWhileStartingTest::configNotInPlace))
                .isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void aCheckThatAnswersIsAnsweredAsItIs() {
        HealthCheckResponse up = new HealthCheckResponse("settings", HealthCheckResponse.Status.UP, Optional.empty());

        assertThat(cut.answer("settings", () -> up)).isSameAs(up);
    }
}
