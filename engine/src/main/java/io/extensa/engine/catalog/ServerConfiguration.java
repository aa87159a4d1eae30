package io.extensa.engine.catalog;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Server-wide switches, SQL Server's sp_configure: each has a configured value and a value in use;
 * RECONFIGURE makes the configured values the ones in use. Values live in the catalog and are
 * cached here for a few seconds, so every gateway on the same catalog follows within that time
 * (and the one that ran RECONFIGURE at once).
 */
public final class ServerConfiguration {

    public static final String EXTERNAL_SCRIPTS_ENABLED = "external scripts enabled";
    private static final long CACHE_NANOS = 5_000_000_000L;

    /** One switch: its range and meaning. */
    public record Option(String name, int minimum, int maximum, String description) {
    }

    /** A row of sp_configure's result. */
    public record Setting(Option option, int value, int valueInUse) {
    }

    public static final String MAX_DEGREE_OF_PARALLELISM = "max degree of parallelism";
    /** Wall-clock limit of every call in seconds, 0 for none; the satellite is killed when it passes. */
    public static final String EXTERNAL_SCRIPTS_TIMEOUT = "external scripts timeout";
    /** A week: longer limits are no limit in practice, and the milliseconds stay far from overflow. */
    public static final int MAX_SCRIPTS_TIMEOUT_SECONDS = 7 * 24 * 3600;
    /** Tables of at least this many pages are read over several connections when provably equivalent (0: never). */
    public static final String PARALLEL_READ_MIN_PAGES = "parallel read min pages";
    static final int DEFAULT_PARALLEL_READ_MIN_PAGES = 1_024;
    /** How long the reader connections of a parallel read stay logged in after it, for the caller's next one. */
    public static final String PARALLEL_READ_KEEP_SECONDS = "parallel read keep seconds";
    static final int DEFAULT_PARALLEL_READ_KEEP_SECONDS = 60;
    /** How many satellites may wait, started and idle, for their callers' next calls (0: none). */
    public static final String STANDBY_SATELLITES = "standby satellites";
    static final int DEFAULT_STANDBY_SATELLITES = 2;

    private static final Map<String, Option> OPTIONS = Map.of(EXTERNAL_SCRIPTS_ENABLED,
            new Option(EXTERNAL_SCRIPTS_ENABLED, 0, 1, "allow sp_execute_external_script (0 off, 1 on)"),
            MAX_DEGREE_OF_PARALLELISM, new Option(MAX_DEGREE_OF_PARALLELISM, 0, 64,
                    "satellites for a call with @parallel = 1 (0: the number of cores)"),
            EXTERNAL_SCRIPTS_TIMEOUT, new Option(EXTERNAL_SCRIPTS_TIMEOUT, 0, MAX_SCRIPTS_TIMEOUT_SECONDS,
                    "wall-clock limit of each sp_execute_external_script call in seconds (0: none)"),
            PARALLEL_READ_MIN_PAGES, new Option(PARALLEL_READ_MIN_PAGES, 0, Integer.MAX_VALUE,
                    "smallest table (8 kB pages) whose input a serial call reads over several connections, "
                            + "when that is provably the same (0: never)"),
            PARALLEL_READ_KEEP_SECONDS, new Option(PARALLEL_READ_KEEP_SECONDS, 0, 3600,
                    "seconds the reader connections of a parallel input read stay logged in for the same caller's "
                            + "next read (0: closed after every read)"),
            STANDBY_SATELLITES, new Option(STANDBY_SATELLITES, 0, 16,
                    "satellites started ahead of their callers' next calls, idle until then (0: none)"));

    private final Catalog catalog;
    private final boolean scriptsEnabledByDefault;
    private Map<String, Setting> cached;
    private long cachedAt;

    public ServerConfiguration(Catalog catalog, boolean scriptsEnabledByDefault) {
        this.catalog = catalog;
        this.scriptsEnabledByDefault = scriptsEnabledByDefault;
    }

    /** The value in use of a switch, from the cache when fresh. */
    public synchronized int inUse(String name) throws PgException {
        return settings().get(name).valueInUse();
    }

    public synchronized List<Setting> list(String name) throws PgException {
        if (name == null) {
            return List.copyOf(settings().values());
        }
        Setting s = settings().get(option(name).name());
        return List.of(s);
    }

    /** Sets the configured value; it takes effect at RECONFIGURE. */
    public synchronized void set(String name, int value) throws PgException {
        Option o = option(name);
        if (value < o.minimum() || value > o.maximum()) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "value " + value + " for '" + o.name()
                    + "' is out of range: " + o.minimum() + " to " + o.maximum());
        }
        catalog.query("UPDATE extensa_catalog.configuration SET value = $2::int WHERE name = $1", o.name(),
                String.valueOf(value));
        cached = null;
    }

    public synchronized void reconfigure() throws PgException {
        catalog.query("UPDATE extensa_catalog.configuration SET value_in_use = value WHERE value_in_use <> value");
        cached = null;
    }

    private Option option(String name) throws PgException {
        Option o = OPTIONS.get(name.strip().toLowerCase(Locale.ROOT));
        if (o == null) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "the configuration option '" + name
                    + "' does not exist").withHint("options: " + String.join(", ", OPTIONS.keySet()));
        }
        return o;
    }

    private Map<String, Setting> settings() throws PgException {
        if (cached != null && System.nanoTime() - cachedAt < CACHE_NANOS) {
            return cached;
        }
        int byDefault = scriptsEnabledByDefault ? 1 : 0;
        for (Option o : OPTIONS.values()) {
            int initial = switch (o.name()) {
                case EXTERNAL_SCRIPTS_ENABLED -> byDefault;
                case PARALLEL_READ_MIN_PAGES -> DEFAULT_PARALLEL_READ_MIN_PAGES;
                case PARALLEL_READ_KEEP_SECONDS -> DEFAULT_PARALLEL_READ_KEEP_SECONDS;
                case STANDBY_SATELLITES -> DEFAULT_STANDBY_SATELLITES;
                default -> o.minimum();
            };
            catalog.query("INSERT INTO extensa_catalog.configuration (name, value, value_in_use, description) "
                    + "VALUES ($1, $2::int, $2::int, $3) ON CONFLICT (name) DO NOTHING", o.name(),
                    String.valueOf(initial), o.description());
        }
        PgClient.Result rows = catalog.query("SELECT name, value, value_in_use FROM extensa_catalog.configuration");
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (List<String> row : rows.rows()) {
            Option o = OPTIONS.get(row.get(0));
            if (o != null) {
                settings.put(o.name(), new Setting(o, Integer.parseInt(row.get(1)), Integer.parseInt(row.get(2))));
            }
        }
        cached = settings;
        cachedAt = System.nanoTime();
        return settings;
    }
}
