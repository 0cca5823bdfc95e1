package com.estatechat.container.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The swap on stand-ins laid out as Tyrus's classes are (the real ones: TyrusTuningIT). */
class SchedulerSwapTest {

    /** Stands for {@code BaseContainer}: the scheduler in a private final field. */
    static class FakeBaseContainer {
        private final ScheduledExecutorService managedScheduledExecutorService;

        FakeBaseContainer(ScheduledExecutorService managed) {
            this.managedScheduledExecutorService = managed;
        }

        ScheduledExecutorService getScheduledExecutorService() {
            return managedScheduledExecutorService;
        }
    }

    /** Stands for the servlet initializer's container, a subclass. */
    static final class FakeServerContainer extends FakeBaseContainer {
        FakeServerContainer(ScheduledExecutorService managed) {
            super(managed);
        }
    }

    /** Stands for {@code TyrusSession$IdleTimeoutCommand}. */
    static final class FakeIdleCheck implements Runnable {
        @Override
        public void run() {
        }
    }

    final ScheduledThreadPoolExecutor managed = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        managed.shutdownNow();
    }

    private static SchedulerSwap apply(Object container, String field) {
        return SchedulerSwap.apply(container, FakeBaseContainer.class.getName(), field, FakeIdleCheck.class.getName());
    }

    @Test
    void newSessionsGetTheSkipperUntilTheSwapIsUndone() {
        FakeServerContainer container = new FakeServerContainer(managed);

        SchedulerSwap cut = apply(container, "managedScheduledExecutorService");

        assertThat(cut.applied()).isTrue();
        assertThat(cut.level()).isEqualTo(Level.INFO);
        assertThat(cut.outcome()).contains("skipped", FakeServerContainer.class.getName(),
                ScheduledThreadPoolExecutor.class.getName());
        assertThat(container.getScheduledExecutorService()).isInstanceOf(IdleCheckSkipper.class)
                .isSameAs(cut.skipper().orElseThrow());
        assertThat(cut.skipper().orElseThrow().managed()).isSameAs(managed);

        assertThat(cut.undo()).contains("back");
        assertThat(container.getScheduledExecutorService()).isSameAs(managed);
    }

    @Test
    void aSecondSwapKeepsTheFirstSkipper() {
        FakeServerContainer container = new FakeServerContainer(managed);
        IdleCheckSkipper first = apply(container, "managedScheduledExecutorService").skipper().orElseThrow();

        SchedulerSwap again = apply(container, "managedScheduledExecutorService");

        assertThat(again.skipper()).containsSame(first);
        assertThat(container.getScheduledExecutorService()).isSameAs(first);
    }

    @Test
    void aContainerThatIsNotTyrusIsLeftAlone() {
        Object undertow = new Object();

        SchedulerSwap cut = apply(undertow, "managedScheduledExecutorService");

        assertThat(cut.applied()).isFalse();
        assertThat(cut.level()).isEqualTo(Level.INFO);
        assertThat(cut.outcome()).contains("left as they are", "java.lang.Object", "not Tyrus");
        assertThat(cut.undo()).isEqualTo("nothing to put back");
    }

    @Test
    void aTyrusWithoutTheFieldIsLeftAlone() {
        FakeServerContainer container = new FakeServerContainer(managed);

        SchedulerSwap cut = apply(container, "scheduler");

        assertThat(cut.applied()).isFalse();
        assertThat(cut.level()).isEqualTo(Level.INFO);
        assertThat(cut.outcome()).contains("left as they are", "scheduler");
        assertThat(container.getScheduledExecutorService()).isSameAs(managed);
    }

    @Test
    void aTyrusWithoutTheIdleCheckIsLeftAlone() {
        FakeServerContainer container = new FakeServerContainer(managed);

        SchedulerSwap cut = SchedulerSwap.apply(container, FakeBaseContainer.class.getName(),
                "managedScheduledExecutorService", "org.example.NoSuchCommand");

        assertThat(cut.applied()).isFalse();
        assertThat(cut.outcome()).contains("NoSuchCommand");
        assertThat(container.getScheduledExecutorService()).isSameAs(managed);
    }

    @Test
    void aTyrusWithoutManagedSchedulerIsLeftAlone() {
        FakeServerContainer container = new FakeServerContainer(null);

        SchedulerSwap cut = apply(container, "managedScheduledExecutorService");

        assertThat(cut.applied()).isFalse();
        assertThat(cut.outcome()).contains("empty");
        assertThat(container.getScheduledExecutorService()).isNull();
    }

    @Test
    void noWebSocketContainerIsNoFailure() {
        SchedulerSwap cut = apply(null, "managedScheduledExecutorService");

        assertThat(cut.applied()).isFalse();
        assertThat(cut.level()).isEqualTo(Level.INFO);
    }

    @Test
    void undoLeavesASchedulerThatSomeoneElseInstalled() throws ReflectiveOperationException {
        FakeServerContainer container = new FakeServerContainer(managed);
        SchedulerSwap cut = apply(container, "managedScheduledExecutorService");
        ScheduledThreadPoolExecutor other = new ScheduledThreadPoolExecutor(1);
        try {
            var field = FakeBaseContainer.class.getDeclaredField("managedScheduledExecutorService");
            field.setAccessible(true);
            field.set(container, other);

            assertThat(cut.undo()).contains("someone else");
            assertThat(container.getScheduledExecutorService()).isSameAs(other);
        } finally {
            other.shutdownNow();
        }
    }
}
