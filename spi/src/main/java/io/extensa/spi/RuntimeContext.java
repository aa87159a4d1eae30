package io.extensa.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the launchpad tells a runtime when it asks for a command: where the runtime may unpack
 * its own files and the operator's settings for this language (from the configuration file,
 * keys {@code language.<name>.<setting>}).
 */
public interface RuntimeContext {

    /** A directory owned by this runtime, readable by satellites, for unpacked support files. */
    Path runtimeHome();

    /** The operator's settings for this language, e.g. {@code interpreter=/usr/bin/python3}. */
    Map<String, String> settings();

    default Optional<String> setting(String key) {
        return Optional.ofNullable(settings().get(key));
    }

    /**
     * Copies the class-path resources under {@code resourceRoot} (listed in
     * {@code resourceRoot/FILES}, one relative path per line) into {@link #runtimeHome()}
     * and returns that directory.
     */
    Path unpack(ClassLoader loader, String resourceRoot) throws IOException;
}
