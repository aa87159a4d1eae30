package io.extensa.server.config;

import java.util.List;

/** Keys of {@code extensa.conf} and the environment variables that override them. */
public final class ConfigKeys {

    public static final String GATEWAY_PORT = "gateway.port";
    public static final String GATEWAY_LISTEN = "gateway.listen";
    public static final String POSTGRES_URL = "postgres.url";
    public static final String POSTGRES_BIN_DIR = "postgres.bin-dir";
    public static final String POSTGRES_ACCOUNT = "postgres.account";
    public static final String TLS_CERTIFICATE = "tls.certificate";
    public static final String TLS_KEY = "tls.key";
    public static final String LOG_LEVEL = "log.level";
    public static final String CATALOG_DATABASE = "catalog.database";
    public static final String CATALOG_USER = "catalog.user";
    public static final String CATALOG_PASSWORD_FILE = "catalog.password-file";
    /** Port of the Prometheus metrics endpoint on 127.0.0.1; unset = no endpoint. */
    public static final String METRICS_PORT = "metrics.port";

    /** Keys under these prefixes belong to the launchpad and its languages; passed on unchanged. */
    public static final List<String> LAUNCHPAD_PREFIXES = List.of("launchpad.", "language.");

    public static final List<String> KNOWN = List.of(GATEWAY_PORT, GATEWAY_LISTEN, POSTGRES_URL, POSTGRES_BIN_DIR,
            POSTGRES_ACCOUNT, TLS_CERTIFICATE, TLS_KEY, LOG_LEVEL, CATALOG_DATABASE, CATALOG_USER,
            CATALOG_PASSWORD_FILE, METRICS_PORT);

    public static final String ENV_DATA_DIR = "EXTENSA_DATA_DIR";
    public static final String ENV_PORT = "EXTENSA_PORT";
    public static final String ENV_POSTGRES_URL = "EXTENSA_POSTGRES_URL";
    public static final String ENV_ADMIN_PASSWORD = "EXTENSA_ADMIN_PASSWORD";

    private ConfigKeys() {
    }

    public static boolean isLaunchpadKey(String key) {
        return LAUNCHPAD_PREFIXES.stream().anyMatch(key::startsWith);
    }
}
