package com.estatechat.auth.control;

import com.estatechat.concurrent.Workers;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The identity provider's signing keys from {@code chat.auth.jwt.jwks-url}. Nimbus'
 * {@link JWKSourceBuilder} does the work: it caches the set, refreshes it in the background ahead
 * of expiry, and keeps the last good set through an outage for {@code chat.auth.jwt.jwks-max-stale}.
 * This class only checks the URL, fetches once at start (not on the first handshake), and watches
 * the fetches so that readiness can say how fresh the keys are.
 */
final class JwksKeys implements Closeable {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
    private static final Duration LONGEST_CACHE = Duration.ofMinutes(5);
    private static final JWKSelector ANY_KEY = new JWKSelector(new JWKMatcher.Builder().build());

    private final URL url;
    private final Duration maxStale;
    private final Clock clock;
    private final JWKSource<SecurityContext> source;
    private volatile Instant lastFetched;
    private volatile Instant failingSince;
    private volatile String lastFailure;

    /** @throws IllegalArgumentException naming {@code chat.auth.jwt.jwks-url} when it is not https (or loopback http) */
    JwksKeys(String jwksUrl, Duration maxStale, Clock clock) {
        this.url = checkedUrl(jwksUrl);
        this.maxStale = maxStale;
        this.clock = clock;
        // the cache sits above the outage layer and keeps what it gives for one period: keep that period short
        // against max-stale, so that stale keys live at most max-stale plus a quarter of it
        long cacheMillis = Math.min(LONGEST_CACHE.toMillis(), maxStale.toMillis() / 4);
        long refreshTimeout = Math.min(JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, cacheMillis / 4);
        long refreshAhead = Math.min(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, cacheMillis / 4);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Workers.daemonThreads("chat-jwks-refresh"));
        ExecutorService refresher = Executors.newSingleThreadExecutor(Workers.daemonThreads("chat-jwks-fetch"));
        source = JWKSourceBuilder.create(new Watched(new URLBasedJWKSetSource<>(url, new DefaultResourceRetriever(
                        JWKSourceBuilder.DEFAULT_HTTP_CONNECT_TIMEOUT * 4, JWKSourceBuilder.DEFAULT_HTTP_READ_TIMEOUT * 4,
                        JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT))))
                .cache(cacheMillis, refreshTimeout)
                .refreshAheadCache(refreshAhead, null, refresher, true, scheduler, true)
                .retrying(true)
                .outageTolerant(maxStale.toMillis())
                .rateLimited(Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL, cacheMillis / 4))
                .build();
    }

    /** Only https, so that keys cannot be swapped on the way; plain http only on loopback (tests). */
    static URL checkedUrl(String jwksUrl) {
        URI uri;
        try {
            uri = new URI(jwksUrl.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("chat.auth.jwt.jwks-url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("chat.auth.jwt.jwks-url must be an https:// URL");
        }
        if (scheme.equals("http") && !IdentityResolver.isLoopback(uri.getHost())) {
            throw new IllegalArgumentException("chat.auth.jwt.jwks-url must be https (plain http is allowed only for "
                    + "localhost, 127.0.0.1 and ::1)");
        }
        try {
            return uri.toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("chat.auth.jwt.jwks-url is not a valid URL");
        }
    }

    JWKSource<SecurityContext> source() {
        return source;
    }

    /** Fetches the keys now, at start; a failure is logged and shows in readiness, and later calls try again. */
    void load() {
        try {
            source.get(ANY_KEY, null);
            LOG.info(() -> "Fetched the JWKS from " + url.getHost());
        } catch (KeySourceException e) {
            LOG.warning(() -> "Could not fetch the JWKS from " + url.getHost() + " (" + e.getMessage()
                    + "); every handshake is refused until it can be fetched");
        }
    }

    /**
     * Why no token can be verified now, if so. Asks the source for its keys first: cheap while they
     * are cached, and otherwise the attempt that brings them back after an outage (rate-limited by
     * the library).
     */
    Optional<String> unusable() {
        if (lastFetched == null || failingSince != null) {
            try {
                source.get(ANY_KEY, null);
            } catch (KeySourceException e) {
                LOG.log(Level.FINE, "JWKS still unavailable", e);
            }
        }
        Instant fetched = lastFetched;
        if (fetched == null) {
            return Optional.of("the JWKS at chat.auth.jwt.jwks-url could not be fetched yet: " + lastFailure);
        }
        if (failingSince != null && Duration.between(fetched, clock.instant()).compareTo(maxStale) > 0) {
            return Optional.of("the JWKS at chat.auth.jwt.jwks-url could not be fetched since " + failingSince
                    + " and the last keys (of " + fetched + ") are older than chat.auth.jwt.jwks-max-stale: "
                    + lastFailure);
        }
        return Optional.empty();
    }

    /** For readiness data: when the keys were fetched, and whether the identity provider is failing. */
    Map<String, String> details() {
        Map<String, String> details = new LinkedHashMap<>();
        Instant fetched = lastFetched;
        details.put("jwks", fetched == null ? "not fetched" : failingSince == null ? "fresh" : "stale");
        if (fetched != null) {
            details.put("jwks_fetched_at", fetched.toString());
        }
        if (failingSince != null) {
            details.put("jwks_failing_since", failingSince.toString());
            if (fetched != null) {
                details.put("jwks_kept_until", fetched.plus(maxStale).toString());
            }
        }
        return details;
    }

    @Override
    public void close() {
        if (source instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "Closing the JWKS source failed", e);
            }
        }
    }

    /** Records each real fetch (below the library's cache and outage layers). */
    private final class Watched implements JWKSetSource<SecurityContext> {

        private final JWKSetSource<SecurityContext> fetcher;

        Watched(JWKSetSource<SecurityContext> fetcher) {
            this.fetcher = fetcher;
        }

        @Override
        public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator evaluator, long now, SecurityContext context)
                throws KeySourceException {
            try {
                JWKSet keys = fetcher.getJWKSet(evaluator, now, context);
                if (failingSince != null) {
                    LOG.info(() -> "The JWKS at " + url.getHost() + " can be fetched again");
                }
                lastFetched = clock.instant();
                failingSince = null;
                return keys;
            } catch (KeySourceException e) {
                if (failingSince == null) {
                    failingSince = clock.instant();
                    if (lastFetched != null) {
                        LOG.warning(() -> "The JWKS at " + url.getHost() + " cannot be fetched (" + e.getMessage()
                                + "); the last keys are kept until " + lastFetched.plus(maxStale));
                    }
                }
                lastFailure = e.getMessage();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            fetcher.close();
        }
    }
}
