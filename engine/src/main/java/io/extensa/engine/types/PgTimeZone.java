package io.extensa.engine.types;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A session TimeZone as PostgreSQL reports it in ParameterStatus: a tz database zone
 * ({@code Europe/Berlin}, {@code EST5EDT}, {@code UTC}) or a POSIX TZ string ({@code <+05>-05},
 * {@code +05:30}, {@code XYZ+4}), where the POSIX sign counts hours west of Greenwich, so
 * {@code <+05>-05} is UTC+5 and {@code +05:30} is UTC-5:30.
 *
 * <p>Zones are read from the same compiled tz files PostgreSQL reads when built with system
 * tzdata ({@code /usr/share/zoneinfo}, or the directory in system property
 * {@code extensa.zoneinfo}), so offsets and abbreviations agree with the server even where tz
 * releases differ; Java's own tz data is the fallback, without abbreviations.
 */
public final class PgTimeZone {

    public static final PgTimeZone UTC = new PgTimeZone("UTC", PosixTzRules.parse("UTC0", false));

    private static final Set<String> REGION_IDS = ZoneId.getAvailableZoneIds();

    /**
     * Zones by setting (and by name for {@link #region}): reading and decoding a tz file took a
     * quarter of a millisecond, and every script call and every zone name in text input needs
     * one. PostgreSQL, too, reads a zone's file once per backend. Bounded, since zone names come
     * from data as well; misses are kept so that an unknown name costs no file lookup either.
     */
    private static final int CACHE_LIMIT = 512;
    private static final Map<String, Optional<PgTimeZone>> PARSED = new ConcurrentHashMap<>();
    private static final Map<String, Optional<PgTimeZone>> REGIONS = new ConcurrentHashMap<>();

    private final String name;
    private final TzRules rules;

    private PgTimeZone(String name, TzRules rules) {
        this.name = name;
        this.rules = rules;
    }

    /** The zone for a TimeZone setting, or null when Extensa cannot reproduce it. */
    public static PgTimeZone parse(String setting) {
        if (setting == null || setting.isEmpty()) {
            return null;
        }
        return cached(PARSED, setting, PgTimeZone::parseUncached);
    }

    private static PgTimeZone parseUncached(String setting) {
        PgTimeZone region = region(setting);
        if (region != null) {
            return region;
        }
        PosixTzRules posix = PosixTzRules.parse(setting, true);
        return posix == null ? null : new PgTimeZone(setting, posix);
    }

    /** A tz database zone by name (any case), or null; no POSIX strings. */
    public static PgTimeZone region(String name) {
        if (name.isEmpty() || name.contains("..") || name.startsWith("/") || name.contains("\0")) {
            return null;
        }
        return cached(REGIONS, name, PgTimeZone::regionUncached);
    }

    private static PgTimeZone cached(Map<String, Optional<PgTimeZone>> cache, String name,
                                     Function<String, PgTimeZone> load) {
        // the directory is part of the key: tests point extensa.zoneinfo elsewhere
        String key = zoneinfo() + "\0" + name;
        Optional<PgTimeZone> zone = cache.get(key);
        if (zone == null) {
            zone = Optional.ofNullable(load.apply(name));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(key, zone);
        }
        return zone.orElse(null);
    }

    private static String zoneinfo() {
        return System.getProperty("extensa.zoneinfo", "/usr/share/zoneinfo");
    }

    private static PgTimeZone regionUncached(String name) {
        Path directory = Path.of(zoneinfo());
        TzifRules file = TzifRules.load(directory.resolve(name));
        String id = regionId(name);
        if (file == null && id != null && !id.equals(name)) {
            file = TzifRules.load(directory.resolve(id));
        }
        if (file != null) {
            return new PgTimeZone(name, file);
        }
        return id == null ? null : new PgTimeZone(name, new JavaRules(ZoneId.of(id).getRules()));
    }

    public String name() {
        return name;
    }

    /** Seconds to add to UTC to get local time at the given instant. */
    public int offsetAt(long epochSecond) {
        return rules.offsetAt(epochSecond);
    }

    /** The offset that turns a local time into UTC, resolving gaps and overlaps as PostgreSQL does. */
    public int offsetForLocal(long localEpochSecond) {
        return rules.offsetForLocal(localEpochSecond);
    }

    /** The abbreviation PostgreSQL shows in non-ISO DateStyles (CET, EDT, +05), or null when unknown. */
    public String abbreviationAt(long epochSecond) {
        return rules.abbreviationAt(epochSecond);
    }

    /** Whether {@link #abbreviationAt} knows the abbreviations (from tz files or a POSIX string). */
    public boolean hasAbbreviations() {
        return !(rules instanceof JavaRules);
    }

    private static String regionId(String setting) {
        if (REGION_IDS.contains(setting)) {
            return setting;
        }
        // PostgreSQL matches zone names case-insensitively
        for (String id : REGION_IDS) {
            if (id.equalsIgnoreCase(setting)) {
                return id;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Java's tz data, when the system has no compiled zone files. */
    private record JavaRules(ZoneRules rules) implements TzRules {
        @Override
        public int offsetAt(long epochSecond) {
            return rules.getOffset(Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
        }

        @Override
        public long nextTransition(long epochSecond) {
            ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochSecond(epochSecond));
            return next == null ? Long.MAX_VALUE : next.toEpochSecond();
        }

        @Override
        public String abbreviationAt(long epochSecond) {
            return null;
        }
    }
}
