package com.estatechat.metrics;

import jakarta.enterprise.inject.Instance;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Meters in the application registry of MicroProfile Metrics. The only class that names the
 * Metrics API: {@link Meters} loads it only on a server that provides the API. Not a CDI bean (no
 * bean-defining annotation), so that bean discovery never loads it either.
 */
final class MicroProfileMeters {

    private final MetricRegistry registry;

    private MicroProfileMeters(MetricRegistry registry) {
        this.registry = registry;
    }

    /**
     * The application registry, or null when the server offers the API but no registry. It comes
     * through an injected {@link Instance}: Payara's producer reads the injection point's
     * annotations, which {@code CDI.current()} does not have.
     */
    static MicroProfileMeters find(Instance<Object> beans) {
        Instance<MetricRegistry> registries = beans.select(MetricRegistry.class);
        return registries.isResolvable() ? new MicroProfileMeters(registries.get()) : null;
    }

    Counter counter(String name, String tag, String value) {
        org.eclipse.microprofile.metrics.Counter counter = tag == null ? registry.counter(name)
                : registry.counter(name, new Tag(tag, value));
        return counter::inc;
    }

    Timer timer(String name) {
        return registry.timer(name)::update;
    }

    void gauge(String name, Supplier<Integer> value) {
        registry.gauge(name, value);
    }
}
