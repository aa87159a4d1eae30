package io.extensa.launchpad.pools;

import io.extensa.protocol.launch.PoolDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The pools last applied, kept next to the job directories so a restarted launchpad enforces them
 * before the engine sends POOLS again. One pool per line: URL-encoded name, MAX_CPU_PERCENT,
 * MAX_MEMORY_PERCENT, MAX_PROCESSES, separated by spaces.
 */
final class PoolStore {

    private static final Logger log = LoggerFactory.getLogger(PoolStore.class);

    private final Path file;

    PoolStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The saved pools; none when there is no file, and none (with an error logged) when it is damaged. */
    List<PoolDefinition> load() {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            log.error("ignoring the saved resource pools in {}: {}", file, e.getMessage());
            return List.of();
        }
    }

    void save(List<PoolDefinition> pools) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(next, format(pools), StandardCharsets.UTF_8);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String format(List<PoolDefinition> pools) {
        StringBuilder text = new StringBuilder();
        for (PoolDefinition pool : pools) {
            text.append(URLEncoder.encode(pool.name(), StandardCharsets.UTF_8)).append(' ')
                    .append(pool.maxCpuPercent()).append(' ').append(pool.maxMemoryPercent()).append(' ')
                    .append(pool.maxProcesses()).append('\n');
        }
        return text.toString();
    }

    static List<PoolDefinition> parse(String text) {
        List<PoolDefinition> pools = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split(" ");
            if (parts.length != 4) {
                throw new IllegalArgumentException("malformed line '" + line + "'");
            }
            pools.add(new PoolDefinition(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3])));
        }
        return pools;
    }
}
