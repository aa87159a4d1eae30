package io.extensa.pgwire;

import io.extensa.pgwire.intercept.StatementInterceptor;
import java.nio.file.Path;

/** Manual check: a relay-only gateway. Args: socket-dir port. */
public final class RelayOnlyGatewayMain {
    public static void main(String[] args) throws Exception {
        GatewayConfig config = GatewayConfig.loopback(Integer.parseInt(args[1]),
                BackendAddress.unixSocketInDirectory(Path.of(args[0]), 5432));
        try (Gateway g = new Gateway(config, StatementInterceptor.RELAY_ALL)) {
            g.start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
