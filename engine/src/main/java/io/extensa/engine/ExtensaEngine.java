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
