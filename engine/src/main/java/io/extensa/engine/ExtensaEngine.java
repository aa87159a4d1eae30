package io.extensa.engine;

import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.SessionInterceptor;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.io.IOException;
import java.nio.file.Files;

/** The engine as the gateway sees it: the interceptor that runs Extensa's statements. */
public final class ExtensaEngine implements StatementInterceptor, AutoCloseable {

    private static final java.time.Duration CATALOG_START_WAIT = java.time.Duration.ofSeconds(10);

    private final EngineServices services;

    public ExtensaEngine(EngineConfig config) throws IOException {
        Files.createDirectories(config.jobSocketDirectory());
        this.services = new EngineServices(config);
        if (config.catalog().isPresent()) {
            // the catalog's schema and the pools are in place before clients arrive, as a rule; a slow
            // or unreachable catalog holds up the gateway's start for at most CATALOG_START_WAIT
            Thread start = Thread.ofVirtual().name("resource-pools-at-start").start(() -> {
                try {
                    services.resourceGovernor().applyAtStart();
                } catch (io.extensa.pgwire.PgException e) {
                    // no catalog: nothing to apply
                }
            });
            try {
                start.join(CATALOG_START_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public SessionInterceptor openSession(ClientSession session) {
        return new EngineSession(services, session);
    }

    public EngineServices services() {
        return services;
    }

    @Override
    public void close() {
        services.close();
    }
}
