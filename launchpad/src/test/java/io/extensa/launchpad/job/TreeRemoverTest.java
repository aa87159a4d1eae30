package io.extensa.launchpad.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TreeRemoverTest {

    @TempDir
    Path temp;

    @Test
    void removesSymlinksWithoutFollowingThem() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path job = Files.createDirectories(temp.resolve("job"));
        Files.createSymbolicLink(job.resolve("to-outside"), outside);
        Files.createSymbolicLink(job.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(job.resolve("to-file"), outside.resolve("keep"));
        Files.createSymbolicLink(job.resolve("dangling"), temp.resolve("nothing-here"));
        Files.createDirectories(job.resolve("a/b/c"));
        Files.createSymbolicLink(job.resolve("a/b/c/up"), outside);

        TreeRemover.delete(job);

        assertThat(job).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("x");
    }

    @Test
    void aSymlinkInPlaceOfTheDirectoryIsOnlyUnlinked() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path job = Files.createSymbolicLink(temp.resolve("job"), outside);
        TreeRemover.delete(job);
        assertThat(job).doesNotExist();
        assertThat(outside.resolve("keep")).exists();
    }

    @Test
    void removesDirectoriesTheScriptLockedUp() throws Exception {
        Path job = Files.createDirectories(temp.resolve("job"));
        Path locked = Files.createDirectories(job.resolve("locked/inner"));
        Files.writeString(locked.resolve("file"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(job.resolve("locked"), PosixFilePermissions.fromString("r-x------"));
        TreeRemover.delete(job);
        assertThat(job).doesNotExist();
    }

    @Test
    void aMissingDirectoryIsFine() throws Exception {
        TreeRemover.delete(temp.resolve("never-created"));
    }

    @Test
    void anAbsurdlyDeepTreeIsReportedNotOverflowed() throws Exception {
        Path job = Files.createDirectories(temp.resolve("job"));
        Path deep = job;
        for (int i = 0; i < TreeRemover.MAX_DEPTH + 5; i++) {
            deep = Files.createDirectory(deep.resolve("d"));
        }
        assertThatThrownBy(() -> TreeRemover.delete(job)).hasMessageContaining("nests deeper than");
    }
}
