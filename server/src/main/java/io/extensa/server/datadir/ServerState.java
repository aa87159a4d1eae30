package io.extensa.server.datadir;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a running server publishes about itself in {@code DIR/run/server.state} (Java properties),
 * read by {@code extensa status}, {@code extensa stop} and a detaching {@code extensa start}.
 * Later features add their own keys; readers ignore keys they do not know.
 */
public final class ServerState {

    public static final String PID = "server.pid";
    public static final String STARTED = "server.started";
    public static final String VERSION = "server.version";
    public static final String GATEWAY_HOST = "gateway.host";
    public static final String GATEWAY_PORT = "gateway.port";
    public static final String GATEWAY_TLS = "gateway.tls";
    public static final String POSTGRES_MODE = "postgres.mode";
    public static final String POSTGRES_ADDRESS = "postgres.address";
    public static final String POSTGRES_PID = "postgres.pid";
    public static final String POSTGRES_ACCOUNT = "postgres.account";
    public static final String LAUNCHPAD_PID = "launchpad.pid";
    public static final String LAUNCHPAD_SOCKET = "launchpad.socket";
    public static final String METRICS_PORT = "metrics.port";

    public static final String MODE_MANAGED = "managed";
    public static final String MODE_EXTERNAL = "external";

    private final Map<String, String> values;

    public ServerState(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public OptionalLong getLong(String key) {
        try {
            String value = values.get(key);
            return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    public void write(DataDirectory dir) {
        var properties = new Properties();
        properties.putAll(new TreeMap<>(values));
        var text = new StringWriter();
        try {
            properties.store(text, "Extensa server state; written by the running server, removed when it stops");
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        PidFile.AtomicFiles.write(dir.stateFile(), text.toString());
    }

    public static Optional<ServerState> read(DataDirectory dir) {
        try (Reader reader = Files.newBufferedReader(dir.stateFile(), StandardCharsets.UTF_8)) {
            var properties = new Properties();
            properties.load(reader);
            var map = new LinkedHashMap<String, String>();
            properties.stringPropertyNames().stream().sorted().forEach(k -> map.put(k, properties.getProperty(k)));
            return Optional.of(new ServerState(map));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ExtensaException("cannot read " + dir.stateFile() + ": " + e.getMessage(), e);
        }
    }

    public static void delete(DataDirectory dir) {
        PidFile.delete(dir.stateFile());
    }
}
