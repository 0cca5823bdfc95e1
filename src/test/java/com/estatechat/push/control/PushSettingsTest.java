package com.estatechat.push.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushSettingsTest {

    private static PushSettings settings(String url, String secret, String delay) {
        PushSettings cut = new PushSettings();
        cut.webhookUrl = Optional.ofNullable(url);
        cut.secret = Optional.ofNullable(secret);
        cut.delay = delay;
        cut.previewChars = 80;
        cut.timeout = "5s";
        cut.attempts = 4;
        cut.retryBackoff = "1s";
        cut.historyQueue = "chat.history";
        cut.check();
        return cut;
    }

    @Test
    void offWithoutAWebhookUrlOrWithNoDelayAndNothingIsWrong() {
        assertThat(settings(null, null, "30s").enabled()).isFalse();
        assertThat(settings(null, null, "30s").problem()).isNull();
        PushSettings noDelay = settings("https://backend.internal/push", "s3cret", "0s");
        assertThat(noDelay.enabled()).isFalse();
        assertThat(noDelay.problem()).isNull();
    }

    @Test
    void onWithAUrlASecretAndADelay() {
        PushSettings on = settings("https://backend.internal/push", "s3cret", "30s");
        assertThat(on.enabled()).isTrue();
        assertThat(on.delayQueue()).isEqualTo("chat.history.push-delay");
        assertThat(on.dueQueue()).isEqualTo("chat.history.push-due");
    }

    @Test
    void aBadUrlOrNoSecretTurnsPushOffWithTheReasonNamingTheKeyAndNeverTheSecret() {
        PushSettings badUrl = settings("ftp://backend.internal/push", "s3cret", "30s");
        assertThat(badUrl.enabled()).isFalse();
        assertThat(badUrl.problem()).contains("chat.push.webhook-url").doesNotContain("s3cret");
        PushSettings noSecret = settings("https://backend.internal/push", " ", "30s");
        assertThat(noSecret.enabled()).isFalse();
        assertThat(noSecret.problem()).contains("chat.push.secret");
        assertThat(settings("https://backend.internal/push", "s3cret", "soon").problem()).contains("chat.push.delay");
    }
}
