package io.extensa.launchpad.lang;

import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.spi.LanguageRuntime;
import io.extensa.spi.SatelliteCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** The languages found on the class path, enabled or disabled by configuration. */
public final class Languages {

    private static final Logger log = LoggerFactory.getLogger(Languages.class);

    private final Map<String, Language> enabled;
    private final Map<String, String> disabled;

    private Languages(Map<String, Language> enabled, Map<String, String> disabled) {
        this.enabled = enabled;
        this.disabled = disabled;
    }

    /**
     * Finds every {@link LanguageRuntime} with {@link ServiceLoader} and resolves its commands.
     * A runtime that throws is kept with the reason, so launches say why it cannot run.
     */
    public static Languages load(LaunchpadConfig config, ClassLoader loader) {
        Map<String, Language> enabled = new LinkedHashMap<>();
        Map<String, String> disabled = new LinkedHashMap<>();
        Iterator<LanguageRuntime> runtimes = ServiceLoader.load(LanguageRuntime.class, loader).iterator();
        while (true) {
            LanguageRuntime runtime;
            try {
                if (!runtimes.hasNext()) {
                    break;
                }
                runtime = runtimes.next();
            } catch (ServiceConfigurationError e) {
                log.error("skipping a language runtime that cannot be loaded: {}", e.getMessage());
                continue;
            }
            String name = runtime.name();
            String key = key(name);
            if (enabled.containsKey(key) || disabled.containsKey(key)) {
                log.error("two language runtimes are named '{}'; ignoring {}", name, runtime.getClass().getName());
                continue;
            }
            if (!config.bool("language." + key + ".enabled", true)) {
                log.info("language {} is disabled (language.{}.enabled=false)", name, key);
                disabled.put(key, name);
                continue;
            }
            enabled.put(key, resolve(config, runtime, name, key));
        }
        return new Languages(enabled, disabled);
    }

    private static Language resolve(LaunchpadConfig config, LanguageRuntime runtime, String name, String key) {
        LanguageContext context = new LanguageContext(config.runtimeDir().resolve(key), config.languageSettings(key));
        SatelliteCommand satellite = null;
        String reason = null;
        try {
            satellite = runtime.satelliteCommand(context);
        } catch (Exception e) {
            reason = "the " + name + " runtime cannot build its satellite command: " + e.getMessage();
            log.error("{}", reason, e);
        }
        SatelliteCommand forkServer = null;
        if (satellite != null && config.warm() && config.bool("language." + key + ".warm", true)) {
            try {
                forkServer = runtime.forkServerCommand(context).orElse(null);
            } catch (Exception e) {
                log.error("the {} runtime cannot build its fork-server command; its jobs start cold", name, e);
            }
        }
        log.info("language {}: satellite {}{}", name, satellite == null ? "unavailable" : satellite.argv(),
                forkServer == null ? ", cold start only" : ", fork server " + forkServer.argv());
        return new Language(name, runtime, context, satellite, reason, forkServer);
    }

    public List<Language> enabled() {
        return List.copyOf(enabled.values());
    }

    public Optional<Language> find(String name) {
        return Optional.ofNullable(enabled.get(key(name)));
    }

    /** The language for a request's name, or a failure that lists what is available. */
    public Language require(String name) throws LaunchFailure {
        Language language = enabled.get(key(name));
        if (language != null) {
            return language;
        }
        String disabledName = disabled.get(key(name));
        if (disabledName != null) {
            throw new LaunchFailure(LaunchErrorKind.UNKNOWN_LANGUAGE, "language '" + disabledName
                    + "' is disabled by configuration (language." + key(name) + ".enabled=false); available: "
                    + available());
        }
        throw new LaunchFailure(LaunchErrorKind.UNKNOWN_LANGUAGE, "no language '" + name + "'; available: " + available());
    }

    private String available() {
        List<String> names = new ArrayList<>();
        enabled.values().forEach(l -> names.add(l.name()));
        return names.isEmpty() ? "none (no language runtime is installed and enabled)" : String.join(", ", names);
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
