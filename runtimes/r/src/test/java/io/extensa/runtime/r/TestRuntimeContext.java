package io.extensa.runtime.r;

import io.extensa.spi.RuntimeContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The unpack contract of {@link RuntimeContext}, as the launchpad implements it, for tests. */
record TestRuntimeContext(Path runtimeHome, Map<String, String> settings) implements RuntimeContext {

    @Override
    public Path unpack(ClassLoader loader, String resourceRoot) throws IOException {
        String files;
        try (InputStream list = loader.getResourceAsStream(resourceRoot + "/FILES")) {
            if (list == null) {
                throw new IOException(resourceRoot + "/FILES not on the class path");
            }
            files = new String(list.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : files.split("\n")) {
            String file = line.strip();
            if (file.isEmpty()) {
                continue;
            }
            Path target = runtimeHome.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = loader.getResourceAsStream(resourceRoot + "/" + file)) {
                if (in == null) {
                    throw new IOException(resourceRoot + "/" + file + " is listed but missing");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return runtimeHome;
    }
}
