package io.extensa.launchpad.isolation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The C sandbox helper built with the launchpad (src/main/c): the program {@code extensa-sandbox}
 * that wraps cold satellites, and {@code libextensa_sandbox.so} that fork servers load to sandbox
 * their children. Both travel as class-path resources and are unpacked into
 * {@code <runtime-dir>/sandbox/} at start, together with the empty directory each sandbox builds
 * its root in (in its own mount namespace, so one directory serves every job).
 */
public record SandboxHelper(Path program, Path library, Path rootDirectory) {

    private static final String RESOURCE_DIR = "/io/extensa/launchpad/sandbox/";
    private static final String PROGRAM = "extensa-sandbox";
    private static final String LIBRARY = "libextensa_sandbox.so";

    /** Unpacks the helper into {@code runtimeDir/sandbox}; fails when this build has no helper. */
    public static SandboxHelper unpack(Path runtimeDir) throws IOException {
        Path dir = runtimeDir.resolve("sandbox");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path program = copy(PROGRAM, dir, "rwxr-xr-x");
        Path library = copy(LIBRARY, dir, "rwxr-xr-x");
        Path root = dir.resolve("root");
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new SandboxHelper(program, library, root);
    }

    private static Path copy(String name, Path dir, String permissions) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = SandboxHelper.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IOException("this launchpad build has no sandbox helper (" + name + "): build it with bin/mvn"
                        + " on a machine with gcc and libc6-dev (bin/setup installs them)");
            }
            byte[] bytes = in.readAllBytes();
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return target;
            }
            // replace by rename: a satellite may be executing the old file
            Path temporary = Files.createTempFile(dir, "." + name, ".tmp");
            Files.write(temporary, bytes);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    /** The namespaces this process may create here, e.g. [mount, pid, net, ipc, uts, proc] (plus user when not root). */
    public Set<String> probe() throws IOException {
        Process process = new ProcessBuilder(program.toString(), "--probe").redirectErrorStream(true).start();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(program + " --probe did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while probing namespaces");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IOException(program + " --probe failed: " + output);
        }
        return new LinkedHashSet<>(Arrays.asList(output.isEmpty() ? new String[0] : output.split("\\s+")));
    }
}
