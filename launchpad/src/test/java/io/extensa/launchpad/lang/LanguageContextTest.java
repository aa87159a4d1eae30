package io.extensa.launchpad.lang;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageContextTest {

    @TempDir
    Path temp;

    private ClassLoader resources(Map<String, String> files) throws IOException {
        Path base = Files.createDirectories(temp.resolve("classpath"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = base.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return new URLClassLoader(new URL[] {base.toUri().toURL()}, null);
    }

    @Test
    void unpacksTheListedFilesReadableByEveryone() throws Exception {
        ClassLoader loader = resources(Map.of(
                "rt/FILES", "# support files\nmain.py\n\npkg/helper.py\n",
                "rt/main.py", "print('main')",
                "rt/pkg/helper.py", "X = 1",
                "rt/unlisted.py", "not copied"));
        LanguageContext context = new LanguageContext(temp.resolve("runtime/lang"), Map.of("interpreter", "/x"));
        Path home = context.unpack(loader, "/rt/");
        assertThat(home).isEqualTo(temp.resolve("runtime/lang"));
        assertThat(home.resolve("main.py")).hasContent("print('main')");
        assertThat(home.resolve("pkg/helper.py")).hasContent("X = 1");
        assertThat(home.resolve("unlisted.py")).doesNotExist();
        assertThat(Files.getPosixFilePermissions(home.resolve("main.py")))
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(context.setting("interpreter")).contains("/x");

        Files.writeString(home.resolve("main.py"), "stale");
        context.unpack(loader, "rt");
        assertThat(home.resolve("main.py")).as("unpacking again replaces").hasContent("print('main')");
    }

    @Test
    void refusesPathsOutsideTheHome() throws Exception {
        ClassLoader loader = resources(Map.of("rt/FILES", "../escape.py\n", "escape.py", "x"));
        LanguageContext context = new LanguageContext(temp.resolve("runtime/lang"), Map.of());
        assertThatThrownBy(() -> context.unpack(loader, "rt")).hasMessageContaining("without '..'");
        assertThat(temp.resolve("runtime/escape.py")).doesNotExist();
    }

    @Test
    void namesWhatIsMissing() throws Exception {
        ClassLoader loader = resources(Map.of("rt/FILES", "gone.py\n"));
        LanguageContext context = new LanguageContext(temp.resolve("runtime/lang"), Map.of());
        assertThatThrownBy(() -> context.unpack(loader, "rt")).hasMessageContaining("rt/gone.py is not on the class path");
        assertThatThrownBy(() -> context.unpack(loader, "other")).hasMessageContaining("other/FILES is not on the class path");
    }
}
