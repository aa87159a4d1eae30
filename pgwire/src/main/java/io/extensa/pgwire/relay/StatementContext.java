package io.extensa.pgwire.relay;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.Cancellation;
import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.ExecutionContext;
import java.util.List;

/** The {@link ExecutionContext} of one Extensa statement run by the worker. */
final class StatementContext implements ExecutionContext {

    private final ClientSession session;
    private final BackendPort backend;
    private final List<BindValue> parameters;
    private final boolean extendedProtocol;
    private final ClientOutput client;
    private final RunningCancellation cancellation;

    StatementContext(ClientSession session, BackendPort backend, List<BindValue> parameters,
                     boolean extendedProtocol, ClientOutput client, RunningCancellation cancellation) {
        this.session = session;
        this.backend = backend;
        this.parameters = List.copyOf(parameters);
        this.extendedProtocol = extendedProtocol;
        this.client = client;
        this.cancellation = cancellation;
    }

    @Override
    public ClientSession session() {
        return session;
    }

    @Override
    public BackendChannel backend() {
        return backend;
    }

    @Override
    public List<BindValue> parameters() {
        return parameters;
    }

    @Override
    public boolean extendedProtocol() {
        return extendedProtocol;
    }

    @Override
    public void notice(ErrorFields notice) {
        client.notice(notice);
    }

    @Override
    public Cancellation cancellation() {
        return cancellation;
    }
}
