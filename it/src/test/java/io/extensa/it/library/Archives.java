package io.extensa.it.library;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Library archives made in the test itself: wheels, plain zips, hostile zips, R source packages. */
final class Archives {

    private Archives() {
    }

    /** A pure-Python wheel of package {@code name} whose {@code __init__.py} is {@code init}. */
    static byte[] wheel(String name, String version, String init) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(name + "/__init__.py", init);
        String info = name + "-" + version + ".dist-info/";
        files.put(info + "METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\n");
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: extensa-it\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        files.put(info + "RECORD", "");
        return zip(files);
    }

    static byte[] zip(Map<String, String> files) {
        var bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A zip (made with Python's zipfile, which can) holding a symbolic link entry to {@code target}. */
    static byte[] zipWithSymlink(String name, String link, String target) {
        try {
            Path out = Files.createTempFile("symlink", ".zip");
            String program = """
                    import sys, zipfile
                    with zipfile.ZipFile(sys.argv[1], 'w') as z:
                        z.writestr(sys.argv[2] + '/__init__.py', 'x = 1\\n')
                        info = zipfile.ZipInfo(sys.argv[2] + '/' + sys.argv[3])
                        info.create_system = 3
                        info.external_attr = 0o120777 << 16
                        z.writestr(info, sys.argv[4])
                    """;
            ProcessResult r = ExtensaStack.run(List.of(ExtensaStack.PYTHON, "-c", program, out.toString(), name, link,
                    target), "", Map.of(), Duration.ofSeconds(30));
            if (r.exitCode() != 0) {
                throw new AssertionError(r.stderr());
            }
            byte[] content = Files.readAllBytes(out);
            Files.delete(out);
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An R source package built with {@code R CMD build}: {@code R/code.R} holds {@code rCode};
     * {@code cCode}, when given, becomes {@code src/code.c} (compiled at install).
     */
    static byte[] rPackage(String name, String version, String rCode, String cCode) {
        try {
            Path dir = Files.createTempDirectory("rpkg");
            Path pkg = Files.createDirectories(dir.resolve(name));
            Files.writeString(pkg.resolve("DESCRIPTION"), "Package: " + name + "\nVersion: " + version
                    + "\nTitle: Test Package\nDescription: Made by a test.\nAuthor: Extensa\nMaintainer: Extensa "
                    + "<dev@extensa.invalid>\nLicense: MIT\n" + (cCode == null ? "" : "NeedsCompilation: yes\n"));
            Files.writeString(pkg.resolve("NAMESPACE"), "exportPattern(\"^[a-z]\")\n"
                    + (cCode == null ? "" : "useDynLib(" + name + ")\n"));
            Files.createDirectories(pkg.resolve("R"));
            Files.writeString(pkg.resolve("R/code.R"), rCode);
            if (cCode != null) {
                Files.createDirectories(pkg.resolve("src"));
                Files.writeString(pkg.resolve("src/code.c"), cCode);
            }
            ProcessResult r = ExtensaStack.run(List.of("/bin/sh", "-c", "cd " + dir + " && R CMD build --no-build-vignettes "
                    + "--no-manual " + name), "", Map.of(), Duration.ofMinutes(3));
            if (r.exitCode() != 0) {
                throw new AssertionError("R CMD build failed: " + r.stdout() + r.stderr());
            }
            Path tarball = dir.resolve(name + "_" + version + ".tar.gz");
            byte[] content = Files.readAllBytes(tarball);
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hex(byte[] content) {
        return "0x" + HexFormat.of().formatHex(content);
    }
}
