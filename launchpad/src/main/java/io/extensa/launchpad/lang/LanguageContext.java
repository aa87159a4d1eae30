package io.extensa.launchpad.lang;

import io.extensa.spi.RuntimeContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the launchpad tells one runtime: its home under the runtime directory and its settings
 * ({@code language.<name>.*} without the prefix).
 */
public final class LanguageContext implements RuntimeContext {

    private final Path runtimeHome;
    private final Map<String, String> settings;

    public LanguageContext(Path runtimeHome, Map<String, String> settings) {
        this.runtimeHome = runtimeHome;
        this.settings = Map.copyOf(settings);
    }

    @Override
    public Path runtimeHome() {
        return runtimeHome;
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * Copies each resource listed in {@code resourceRoot/FILES} to the same relative path under
     * the runtime home. Files are replaced atomically, so a satellite starting meanwhile never
     * sees a half-written file; they are world-readable because satellites will run as other
     * accounts.
     */
    @Override
    public Path unpack(ClassLoader loader, String resourceRoot) throws IOException {
        String root = trimSlashes(resourceRoot);
        List<String> files = listedFiles(loader, root);
        Files.createDirectories(runtimeHome);
        for (String relative : files) {
            Path target = runtimeHome.resolve(relative).normalize();
            if (!target.startsWith(runtimeHome) || target.equals(runtimeHome)) {
                throw new IOException(root + "/FILES lists '" + relative + "', which is outside the runtime home");
            }
            String resource = root + "/" + relative;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException(root + "/FILES lists '" + relative + "' but resource " + resource
                            + " is not on the class path");
                }
                Files.createDirectories(target.getParent());
                Path temporary = Files.createTempFile(target.getParent(), ".unpack-", ".tmp");
                try {
                    Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
        }
        return runtimeHome;
    }

    private static List<String> listedFiles(ClassLoader loader, String root) throws IOException {
        String listName = root + "/FILES";
        try (InputStream in = loader.getResourceAsStream(listName)) {
            if (in == null) {
                throw new IOException("resource list " + listName + " is not on the class path");
            }
            List<String> files = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("/") || List.of(line.split("/")).contains("..")) {
                    throw new IOException(listName + " lists '" + line + "': entries must be relative paths without '..'");
                }
                files.add(line);
            }
            return files;
        }
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
