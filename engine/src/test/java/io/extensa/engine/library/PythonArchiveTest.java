package io.extensa.engine.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonArchiveTest {

    @TempDir
    Path dir;

    static byte[] zip(Map<String, String> files) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] wheel(String distribution, String packageDir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(packageDir + "/__init__.py", "X = 1\n");
        files.put(distribution + "-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: " + distribution
                + "\nVersion: 1.0\n\nlong description\nName: not this\n");
        files.put(distribution + "-1.0.data/purelib/extra_mod.py", "Y = 2\n");
        files.put(distribution + "-1.0.data/scripts/tool", "#!/bin/sh\n");
        return zip(files);
    }

    @Test
    void wheelNamesAreComparedAsPep503SaysAndDataIsRelocated() throws Exception {
        byte[] w = wheel("My_Pkg", "my_pkg");
        assertThat(PythonArchive.inspect(w, "my-pkg")).extracting(LibraryFile::path)
                .contains("my_pkg/__init__.py", "My_Pkg-1.0.dist-info/METADATA");
        PythonArchive.unpack(w, dir);
        assertThat(dir.resolve("my_pkg/__init__.py")).hasContent("X = 1");
        assertThat(dir.resolve("extra_mod.py")).as("purelib goes to the top").exists();
        assertThat(dir.resolve("My_Pkg-1.0.data")).as("scripts are not importable").doesNotExist();
        assertThatThrownBy(() -> PythonArchive.inspect(w, "other"))
                .hasMessageContaining("the wheel is distribution 'My_Pkg', not 'other'");
    }

    @Test
    void plainZipNeedsAPackageOrModuleOfTheLibrarysName() throws Exception {
        assertThat(PythonArchive.inspect(zip(Map.of("tool.py", "")), "tool")).hasSize(1);
        assertThat(PythonArchive.inspect(zip(Map.of("my_tool/__init__.py", "")), "my-tool")).hasSize(1);
        assertThatThrownBy(() -> PythonArchive.inspect(zip(Map.of("other.py", "")), "tool"))
                .hasMessageContaining("no top-level package or module named 'tool'");
    }

    @Test
    void zipSlipAbsolutePathsAndGarbageAreRefused() throws Exception {
        assertThatThrownBy(() -> PythonArchive.inspect(zip(Map.of("x/__init__.py", "", "x/../../evil.py", "")), "x"))
                .hasMessageContaining("escapes the library");
        assertThatThrownBy(() -> PythonArchive.inspect(zip(Map.of("x/__init__.py", "", "/etc/evil", "")), "x"))
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> PythonArchive.inspect(zip(Map.of("x\\..\\evil.py", "")), "x"))
                .hasMessageContaining("backslash");
        assertThatThrownBy(() -> PythonArchive.inspect("not a zip at all".getBytes(), "x"))
                .hasMessageContaining("not a valid archive");
        byte[] truncated = zip(Map.of("x/__init__.py", "X = 1\n"));
        assertThatThrownBy(() -> PythonArchive.inspect(java.util.Arrays.copyOf(truncated, truncated.length - 30), "x"))
                .hasMessageContaining("not a valid archive");
        assertThat(ArchivePaths.check("a/b/..c")).isEqualTo("a/b/..c");
    }

    @Test
    void symlinkEntriesAreSeenInTheCentralDirectory() throws Exception {
        Path zip = dir.resolve("link.zip");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], 'w') as z:
                    z.writestr('x/__init__.py', '')
                    i = zipfile.ZipInfo('x/link')
                    i.create_system = 3
                    i.external_attr = 0o120777 << 16
                    z.writestr(i, '/etc/passwd')
                """, zip.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        byte[] content = Files.readAllBytes(zip);
        assertThat(ZipListing.read(content)).filteredOn(ZipListing.Entry::isSymlink).hasSize(1);
        assertThatThrownBy(() -> PythonArchive.inspect(content, "x")).hasMessageContaining("symbolic link (x/link)");
    }

    @Test
    void cacheDirectoryNamesAreSafe() {
        assertThat(LibraryCache.safe("my_lib")).isEqualTo("my_lib");
        assertThat(LibraryCache.safe("../Evil")).isEqualTo("%2e.%2f%45vil");
        assertThat(LibraryCache.safe(".hidden")).startsWith("%2e");
    }
}
