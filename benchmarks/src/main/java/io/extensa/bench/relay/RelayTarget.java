package io.extensa.bench.relay;

/**
 * Where pgbench connects: a host (or socket directory) and port, and a description for the report.
 *
 * @param hostLabel,portLabel how the report writes host and port (placeholders for this run's
 *                            temporary directory and ephemeral ports)
 * @param relay               true when something sits between pgbench and PostgreSQL
 */
record RelayTarget(String name, String host, int port, String hostLabel, String portLabel, String description,
        boolean relay) {

    /** This target with its report labels in place of the real host and port. */
    RelayTarget labelled() {
        return new RelayTarget(name, hostLabel, 0, hostLabel, portLabel, description, relay);
    }
}
