package io.extensa.launchpad.job;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds out before exec whether a program can run, so a wrong interpreter path is a clear
 * launch_failed instead of an exit code 127 from deep inside the launch.
 */
final class Executables {

    private Executables() {
    }

    /** As execvp would look it up: a name with a slash as a path, a bare name along {@code path}. */
    static boolean canExecute(String program, String path, Path workDir) {
        if (program.isEmpty()) {
            return false;
        }
        if (program.indexOf('/') >= 0) {
            return executable(workDir.resolve(program));
        }
        if (path == null) {
            return false;
        }
        for (String directory : path.split(":")) {
            if (!directory.isEmpty() && executable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean executable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
