package io.extensa.pgwire.relay;

import io.extensa.pgwire.GatewayConfig;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/** What every session of one gateway shares. */
public record SessionEnvironment(
        GatewayConfig config,
        StatementInterceptor interceptor,
        CancelRegistry cancelRegistry,
        ExecutorService workers,
        SSLContext tls,
        AtomicLong sessionIds) {
}
