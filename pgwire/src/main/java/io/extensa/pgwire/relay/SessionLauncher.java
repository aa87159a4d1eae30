package io.extensa.pgwire.relay;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Starts a thread per client connection and remembers live sessions so the gateway can close them. */
public final class SessionLauncher {

    private final Set<GatewaySession> live = ConcurrentHashMap.newKeySet();

    public void launch(SessionEnvironment env, SocketChannel client) throws IOException {
        GatewaySession session = new GatewaySession(env, client);
        live.add(session);
        Thread.ofPlatform().name("pg-client-" + session.id).daemon().start(() -> {
            try {
                session.run();
            } finally {
                live.remove(session);
            }
        });
    }

    public int open() {
        return live.size();
    }

    public void closeAll(String reason) {
        for (GatewaySession s : live) {
            s.close(reason);
        }
    }
}
