package com.estatechat.metrics;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Makes the application's meters. On a server with MicroProfile Metrics (Payara) they are exported
 * under {@code /metrics?scope=application}; on one without it (WildFly 27 and later, whose
 * MicroProfile configuration has Micrometer instead) they count nothing, and the WAR deploys all the
 * same: no class of the Metrics API is touched unless the server provides it.
 */
@ApplicationScoped
public class Meters {

    private static final Logger LOG = Logger.getLogger(Meters.class.getName());
    private static final String METRICS_API = "org.eclipse.microprofile.metrics.MetricRegistry";

    /** Typed as Object so that this class names no Metrics type; see {@link MicroProfileMeters#find}. */
    @Inject
    Instance<Object> beans;

    /** null when the server has no MicroProfile Metrics. */
    private MicroProfileMeters exported;

    @PostConstruct
    void findRegistry() {
        if (metricsApiPresent()) {
            exported = MicroProfileMeters.find(beans);
        }
        if (exported == null) {
            LOG.info("This server has no MicroProfile Metrics: the application's metrics are not exported.");
        }
    }

    private static boolean metricsApiPresent() {
        try {
            Class.forName(METRICS_API, false, Meters.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public Counter counter(String name) {
        return exported == null ? Counter.NONE : exported.counter(name, null, null);
    }

    /** A counter with one tag, e.g. {@code chat.errors{code="rate_limited"}}. */
    public Counter counter(String name, String tag, String value) {
        return exported == null ? Counter.NONE : exported.counter(name, tag, value);
    }

    public Timer timer(String name) {
        return exported == null ? Timer.NONE : exported.timer(name);
    }

    /** Wall and CPU time of one step: the timers {@code name} and {@code name.cpu}. */
    public StepMeter step(String name) {
        return exported == null ? StepMeter.NONE : new StepMeter(exported.timer(name), exported.timer(name + ".cpu"));
    }

    public void gauge(String name, Supplier<Integer> value) {
        if (exported != null) {
            exported.gauge(name, value);
        }
    }
}
