package io.extensa.engine.library;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * An R library: a source package ({@code name_version.tar.gz}, as {@code R CMD build} makes it),
 * installed with {@code R CMD INSTALL -l <dir>}. The tar is read here first, so a package whose
 * entries escape its directory or contain links never reaches R.
 */
final class RPackageArchive {

    private static final int BLOCK = 512;
    private static final long INSTALL_TIMEOUT_MINUTES = 15;
    private static final int OUTPUT_TAIL = 4000;

    private RPackageArchive() {
    }

    /** Checks the archive and the package's name; returns the files of the source package. */
    static List<LibraryFile> inspect(byte[] content, String libraryName) throws LibraryException {
        List<LibraryFile> files = new ArrayList<>();
        String description = null;
        String top = null;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
            String longName = null;
            long total = 0;
            while (true) {
                byte[] header = in.readNBytes(BLOCK);
                if (header.length < BLOCK) {
                    throw LibraryException.corrupt("the tar archive is truncated");
                }
                if (isZero(header)) {
                    break;
                }
                String name = longName != null ? longName : headerName(header);
                longName = null;
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                byte[] data = null;
                if (type == 'L' || type == 'x' || type == 'g' || name.equals(libraryName + "/DESCRIPTION")) {
                    data = in.readNBytes((int) Math.min(size, 1 << 20));
                    in.skipNBytes(size - data.length);
                } else {
                    in.skipNBytes(size);
                }
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
                switch (type) {
                    case 'L' -> {
                        longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
                        continue;
                    }
                    case 'x' -> {
                        longName = paxPath(data);
                        continue;
                    }
                    case 'g' -> {
                        continue;
                    }
                    case '1', '2' -> throw LibraryException.invalid("the package contains a link (" + name
                            + "); links are refused, they could point outside the library");
                    case '0', '\0', '5', '7' -> {
                    }
                    default -> throw LibraryException.invalid("the package contains a special file (" + name + ")");
                }
                ArchivePaths.check(name);
                String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
                if (top == null) {
                    top = first;
                } else if (!top.equals(first)) {
                    throw LibraryException.invalid("a source package has one top-level directory; this one has "
                            + top + " and " + first);
                }
                total += size;
                if (total > PythonArchive.MAX_UNPACKED_BYTES) {
                    throw LibraryException.invalid("the package unpacks to more than "
                            + (PythonArchive.MAX_UNPACKED_BYTES >> 20) + " MiB");
                }
                if (data != null && name.equals(libraryName + "/DESCRIPTION")) {
                    description = new String(data, StandardCharsets.UTF_8);
                }
                if (type != '5') {
                    files.add(new LibraryFile(name, size));
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw LibraryException.corrupt("it is not a gzip-compressed tar archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw LibraryException.corrupt(e.getMessage());
        }
        if (top == null) {
            throw LibraryException.corrupt("the archive is empty");
        }
        if (description == null) {
            throw LibraryException.invalid("the archive is not the source package '" + libraryName + "' (no "
                    + libraryName + "/DESCRIPTION; its directory is " + top
                    + "): the library's name must be the package's name");
        }
        String packageName = field(description, "Package");
        if (!libraryName.equals(packageName)) {
            throw LibraryException.invalid("the DESCRIPTION names package '" + packageName + "', not '" + libraryName
                    + "'");
        }
        return files;
    }

    /** R CMD INSTALL into {@code target} (exists, empty); a failure says what R printed last. */
    static void install(byte[] content, String libraryName, Path target, Path scratch, String rCommand)
            throws LibraryException, IOException {
        Path tarball = scratch.resolve(libraryName + ".tar.gz");
        Files.write(tarball, content);
        Path log = scratch.resolve("install.log");
        ProcessBuilder pb = new ProcessBuilder(rCommand, "CMD", "INSTALL", "--no-docs", "--no-html",
                "--no-multiarch", "-l", target.toString(), tarball.toString())
                .directory(scratch.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TMPDIR", scratch.toString());
        pb.environment().put("R_LIBS_USER", scratch.resolve("none").toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw LibraryException.installFailed("cannot run R CMD INSTALL (" + rCommand + "): " + e.getMessage());
        }
        try {
            if (!p.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw LibraryException.installFailed("R CMD INSTALL did not finish within " + INSTALL_TIMEOUT_MINUTES
                        + " minutes");
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw LibraryException.installFailed("the installation was interrupted");
        }
        if (p.exitValue() != 0) {
            String output = Files.readString(log, StandardCharsets.UTF_8);
            String tail = output.length() > OUTPUT_TAIL ? output.substring(output.length() - OUTPUT_TAIL) : output;
            throw LibraryException.installFailed("R CMD INSTALL failed with exit code " + p.exitValue()
                    + "; its last output:\n" + tail.strip());
        }
        if (!Files.isDirectory(target.resolve(libraryName))) {
            throw LibraryException.installFailed("R CMD INSTALL succeeded but installed no package '" + libraryName
                    + "'");
        }
    }

    private static String field(String dcf, String name) {
        for (String line : dcf.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        if ("ustar".equals(cString(h, 257, 6).strip())) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static String paxPath(byte[] data) throws LibraryException {
        String records = new String(data, StandardCharsets.UTF_8);
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 6);
            }
        }
        return null;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int offset, int length) throws LibraryException {
        String s = cString(b, offset, length).strip();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw LibraryException.corrupt("a tar header has an invalid size");
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte x : block) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
