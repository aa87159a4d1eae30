package io.extensa.pgwire.relay;

import java.util.Map;

/**
 * A client's StartupMessage: the raw bytes (relayed verbatim to PostgreSQL) and the parsed
 * parameters (user, database, application_name, options, ...).
 */
record StartupPacket(byte[] raw, int protocolVersion, Map<String, String> parameters) {

    String user() {
        return parameters.getOrDefault("user", "");
    }

    String database() {
        String db = parameters.get("database");
        return db == null || db.isEmpty() ? user() : db;
    }
}
