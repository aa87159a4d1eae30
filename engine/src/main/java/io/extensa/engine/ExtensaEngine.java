package io.extensa.engine;

import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.SessionInterceptor;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.io.IOException;
import java.nio.file.Files;

/** The engine as the gateway sees it: the interceptor that runs Extensa's statements. */
public final class ExtensaEngine implements StatementInterceptor, AutoCloseable {

    private final EngineServices services;

    public ExtensaEngine(EngineConfig config) throws IOException {
        Files.createDirectories(config.jobSocketDirectory());
        this.services = new EngineServices(config);
        if (config.catalog().isPresent()) {
            // in the background: a slow catalog must not hold up the gateway's start
            Thread.ofVirtual().name("resource-pools-at-start").start(() -> {
                try {
                    services.resourceGovernor().applyAtStart();
                } catch (io.extensa.pgwire.PgException e) {
                    // no catalog: nothing to apply
                }
            });
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
