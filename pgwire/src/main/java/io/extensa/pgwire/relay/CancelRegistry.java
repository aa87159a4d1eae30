package io.extensa.pgwire.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the (backend pid, gateway key) pairs handed to clients in BackendKeyData to live sessions.
 * Clients get the real backend pid (so pg_stat_activity and the cancel key agree) but a key the
 * gateway generated: PostgreSQL's own key never leaves the gateway.
 */
public final class CancelRegistry {

    private final Map<Integer, GatewaySession> byPid = new ConcurrentHashMap<>();

    void register(int pid, GatewaySession session) {
        byPid.put(pid, session);
    }

    void unregister(int pid, GatewaySession session) {
        byPid.remove(pid, session);
    }

    /** @return the session when pid and key match, else null (a wrong key is silently ignored, as PostgreSQL does) */
    GatewaySession lookup(int pid, int key) {
        GatewaySession s = byPid.get(pid);
        return s != null && s.gatewayKey() == key ? s : null;
    }

    int size() {
        return byPid.size();
    }
}
