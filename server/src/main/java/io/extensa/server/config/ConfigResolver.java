package io.extensa.server.config;

import io.extensa.server.ExtensaException;
import io.extensa.server.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link ServerConfig} from, in order of precedence: command-line flags, environment
 * variables, the config file ({@code --config FILE}, else {@code DIR/extensa.conf} when present),
 * and defaults.
 */
public final class ConfigResolver {

    /** The flags of {@code extensa start} that take part in resolution. */
    public record Flags(Optional<Path> dataDir, OptionalInt port, Optional<String> postgresUrl,
            Optional<Path> configFile) {

        public static Flags none() {
            return new Flags(Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty());
        }
    }

    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private ConfigResolver() {
    }

    /**
     * The data directory: {@code --data-dir}, else {@code $EXTENSA_DATA_DIR}, else /var/lib/extensa
     * for root, else ~/.local/share/extensa.
     */
    public static Path dataDir(Optional<Path> flag, Map<String, String> env, boolean root, Path home) {
        Path chosen = flag.orElseGet(() -> nonBlank(env.get(ConfigKeys.ENV_DATA_DIR)).map(Path::of)
                .orElseGet(() -> root ? Path.of("/var/lib/extensa") : home.resolve(".local/share/extensa")));
        return chosen.toAbsolutePath().normalize();
    }

    public static ServerConfig resolve(Flags flags, Map<String, String> env, boolean root, Path home) {
        Path dataDir = dataDir(flags.dataDir(), env, root, home);
        Map<String, String> file = new TreeMap<>();
        Path fileDirectory = dataDir;
        if (flags.configFile().isPresent()) {
            Path configFile = flags.configFile().get().toAbsolutePath().normalize();
            file.putAll(load(configFile, true));
            fileDirectory = configFile.getParent();
        } else {
            file.putAll(load(dataDir.resolve("extensa.conf"), false));
        }
        String source = flags.configFile().map(Path::toString).orElse(dataDir.resolve("extensa.conf").toString());

        ServerConfig.Builder builder = ServerConfig.builder(dataDir);

        if (flags.port().isPresent()) {
            builder.gatewayPort(checkPort(flags.port().getAsInt(), "--port"));
        } else if (nonBlank(env.get(ConfigKeys.ENV_PORT)).isPresent()) {
            builder.gatewayPort(parsePort(env.get(ConfigKeys.ENV_PORT), ConfigKeys.ENV_PORT));
        } else if (file.containsKey(ConfigKeys.GATEWAY_PORT)) {
            builder.gatewayPort(parsePort(file.get(ConfigKeys.GATEWAY_PORT), ConfigKeys.GATEWAY_PORT + " in " + source));
        }
        if (file.containsKey(ConfigKeys.GATEWAY_LISTEN)) {
            builder.listenHost(file.get(ConfigKeys.GATEWAY_LISTEN));
        }

        Optional<String> url = flags.postgresUrl().flatMap(ConfigResolver::nonBlank)
                .or(() -> nonBlank(env.get(ConfigKeys.ENV_POSTGRES_URL)))
                .or(() -> Optional.ofNullable(file.get(ConfigKeys.POSTGRES_URL)));
        url.map(PostgresUrl::parse).ifPresent(builder::externalPostgres);

        Path base = fileDirectory;
        Optional.ofNullable(file.get(ConfigKeys.POSTGRES_BIN_DIR)).map(p -> base.resolve(p).normalize())
                .ifPresent(builder::postgresBinDir);
        Optional.ofNullable(file.get(ConfigKeys.POSTGRES_ACCOUNT)).ifPresent(builder::postgresAccount);
        nonBlank(env.get(ConfigKeys.ENV_ADMIN_PASSWORD)).ifPresent(builder::adminPassword);

        String certificate = file.get(ConfigKeys.TLS_CERTIFICATE);
        String key = file.get(ConfigKeys.TLS_KEY);
        if ((certificate == null) != (key == null)) {
            throw new ExtensaException("set both " + ConfigKeys.TLS_CERTIFICATE + " and " + ConfigKeys.TLS_KEY
                    + " in " + source + ", or neither");
        }
        if (certificate != null) {
            builder.tls(base.resolve(certificate).normalize(), base.resolve(key).normalize());
        }

        String catalogUser = file.get(ConfigKeys.CATALOG_USER);
        if (catalogUser != null) {
            builder.catalog(new ServerConfig.CatalogLogin(
                    file.getOrDefault(ConfigKeys.CATALOG_DATABASE, "postgres"), catalogUser,
                    Optional.ofNullable(file.get(ConfigKeys.CATALOG_PASSWORD_FILE)).map(p -> base.resolve(p).normalize())));
        } else if (file.containsKey(ConfigKeys.CATALOG_DATABASE) || file.containsKey(ConfigKeys.CATALOG_PASSWORD_FILE)) {
            throw new ExtensaException("set " + ConfigKeys.CATALOG_USER + " in " + source + " to use "
                    + ConfigKeys.CATALOG_DATABASE + " or " + ConfigKeys.CATALOG_PASSWORD_FILE);
        }

        if (file.containsKey(ConfigKeys.METRICS_PORT)) {
            builder.metricsPort(parsePort(file.get(ConfigKeys.METRICS_PORT), ConfigKeys.METRICS_PORT + " in " + source));
        }

        if (file.containsKey(ConfigKeys.LOG_LEVEL)) {
            String level = file.get(ConfigKeys.LOG_LEVEL).toUpperCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(level)) {
                throw new ExtensaException("invalid " + ConfigKeys.LOG_LEVEL + " '" + file.get(ConfigKeys.LOG_LEVEL)
                        + "' in " + source + ": use one of " + String.join(", ", LOG_LEVELS.stream().sorted().toList()));
            }
            builder.logLevel(level);
        }

        file.forEach((k, v) -> {
            if (ConfigKeys.isLaunchpadKey(k)) {
                builder.launchpadSetting(k, v);
            }
        });
        return builder.build();
    }

    /** Reads a key=value file (java.util.Properties syntax); unknown keys are errors, so typos surface. */
    static Map<String, String> load(Path file, boolean required) {
        var properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new ExtensaException("config file " + file + " does not exist");
            }
            return Map.of();
        } catch (IOException | IllegalArgumentException e) {
            throw new ExtensaException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        var values = new TreeMap<String, String>();
        for (String key : properties.stringPropertyNames()) {
            String trimmedKey = key.trim();
            if (!ConfigKeys.KNOWN.contains(trimmedKey) && !ConfigKeys.isLaunchpadKey(trimmedKey)) {
                throw new ExtensaException("unknown key '" + trimmedKey + "' in " + file + "; known keys: "
                        + String.join(", ", ConfigKeys.KNOWN) + ", and launchpad.* / language.*");
            }
            String value = properties.getProperty(key).trim();
            if (!value.isEmpty()) {
                values.put(trimmedKey, value);
            }
        }
        return values;
    }

    private static int parsePort(String text, String where) {
        try {
            return checkPort(Integer.parseInt(text.trim()), where);
        } catch (NumberFormatException e) {
            throw new ExtensaException("invalid port '" + text + "' in " + where + ": expected a number from 1 to 65535");
        }
    }

    private static int checkPort(int port, String where) {
        // 0 (any free port) is allowed for tests; people see it only if they ask for it.
        if (port < 0 || port > 65535) {
            throw new ExtensaException("invalid port " + port + " in " + where + ": expected a number from 1 to 65535");
        }
        return port;
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
