package io.extensa.engine.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A Python library: a wheel (its {@code *.dist-info/METADATA} names the distribution) or a zip of
 * packages (a top-level package or module of the library's name). Installing it means unpacking
 * it into a directory that goes on the script's {@code sys.path}; a wheel's
 * {@code *.data/purelib} and {@code platlib} land at the top, its scripts, headers and data are
 * left out (nothing of them is importable).
 */
final class PythonArchive {

    static final long MAX_UNPACKED_BYTES = 2L << 30;
    static final int MAX_ENTRIES = 100_000;

    private PythonArchive() {
    }

    /** Checks the archive against the library's name; returns the files it will install. */
    static List<LibraryFile> inspect(byte[] content, String libraryName) throws LibraryException {
        List<ZipListing.Entry> entries = ZipListing.read(content);
        if (entries.isEmpty()) {
            throw LibraryException.corrupt("the archive is empty");
        }
        if (entries.size() > MAX_ENTRIES) {
            throw LibraryException.invalid("the archive has " + entries.size() + " entries; at most " + MAX_ENTRIES);
        }
        long total = 0;
        Set<String> seen = new HashSet<>();
        Set<String> distInfo = new HashSet<>();
        Set<String> topLevel = new HashSet<>();
        List<LibraryFile> files = new ArrayList<>();
        for (ZipListing.Entry e : entries) {
            ArchivePaths.check(e.name());
            if (e.isSymlink()) {
                throw LibraryException.invalid("the archive contains a symbolic link (" + e.name()
                        + "); links are refused, they could point outside the library");
            }
            if (e.isSpecial()) {
                throw LibraryException.invalid("the archive contains a special file (" + e.name() + ")");
            }
            if (!seen.add(e.name())) {
                throw LibraryException.invalid("the archive lists " + e.name() + " twice");
            }
            total += e.uncompressedSize();
            if (total > MAX_UNPACKED_BYTES) {
                throw LibraryException.invalid("the archive unpacks to more than " + (MAX_UNPACKED_BYTES >> 20) + " MiB");
            }
            String first = e.name().contains("/") ? e.name().substring(0, e.name().indexOf('/')) : e.name();
            if (first.endsWith(".dist-info") && e.name().contains("/")) {
                distInfo.add(first);
            }
            topLevel.add(first);
            if (!e.isDirectory()) {
                files.add(new LibraryFile(e.name(), e.uncompressedSize()));
            }
        }
        if (distInfo.size() > 1) {
            throw LibraryException.invalid("the wheel has several .dist-info directories: " + distInfo);
        }
        if (distInfo.size() == 1) {
            String dir = distInfo.iterator().next();
            String distribution = metadataName(content, dir + "/METADATA");
            if (!normalize(distribution).equals(normalize(libraryName))) {
                throw LibraryException.invalid("the wheel is distribution '" + distribution
                        + "', not '" + libraryName + "': the library's name must be the package's name");
            }
        } else {
            String module = normalize(libraryName).replace('-', '_');
            boolean found = topLevel.stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).equals(module)
                    || t.toLowerCase(Locale.ROOT).equals(module + ".py"));
            if (!found) {
                throw LibraryException.invalid("the zip archive has no top-level package or module named '" + module
                        + "' (it holds " + String.join(", ", topLevel.stream().sorted().limit(10).toList())
                        + "): the library's name must be the package's name");
            }
        }
        return files;
    }

    /** Unpacks a checked archive into {@code target}, which exists and is empty. */
    static void unpack(byte[] content, Path target) throws LibraryException, IOException {
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(content))) {
            ZipEntry e;
            long total = 0;
            while ((e = zip.getNextEntry()) != null) {
                String name = ArchivePaths.check(e.getName());
                String relative = wheelRelocation(name);
                if (relative == null) {
                    continue;
                }
                Path out = ArchivePaths.resolveInside(target, relative);
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                    throw LibraryException.invalid("the archive writes " + relative + " twice");
                }
                total += copy(zip, out, MAX_UNPACKED_BYTES - total);
            }
        } catch (ZipException e) {
            throw LibraryException.corrupt(e.getMessage());
        }
    }

    /** Where a wheel entry goes: *.data/purelib|platlib/x -> x; other *.data parts are skipped (null). */
    private static String wheelRelocation(String name) {
        int slash = name.indexOf('/');
        if (slash < 0 || !name.substring(0, slash).endsWith(".data")) {
            return name;
        }
        String rest = name.substring(slash + 1);
        for (String scheme : new String[] {"purelib/", "platlib/"}) {
            if (rest.startsWith(scheme)) {
                return rest.length() == scheme.length() ? null : rest.substring(scheme.length());
            }
        }
        return null;
    }

    private static long copy(InputStream in, Path out, long budget) throws IOException, LibraryException {
        long written = 0;
        byte[] buffer = new byte[65536];
        try (var os = Files.newOutputStream(out, java.nio.file.StandardOpenOption.CREATE_NEW)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                written += n;
                if (written > budget) {
                    throw LibraryException.invalid("the archive unpacks to more than " + (MAX_UNPACKED_BYTES >> 20)
                            + " MiB");
                }
                os.write(buffer, 0, n);
            }
        }
        return written;
    }

    private static String metadataName(byte[] content, String path) throws LibraryException {
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(content))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals(path)) {
                    String metadata = new String(zip.readNBytes(1 << 20), StandardCharsets.UTF_8);
                    for (String line : metadata.split("\r?\n")) {
                        if (line.isEmpty()) {
                            break;
                        }
                        if (line.regionMatches(true, 0, "Name:", 0, 5)) {
                            return line.substring(5).strip();
                        }
                    }
                    throw LibraryException.invalid(path + " has no Name: field");
                }
            }
        } catch (IOException e) {
            throw LibraryException.corrupt(e.getMessage());
        }
        throw LibraryException.invalid("the wheel has no " + path);
    }

    /** PEP 503: case-insensitive, runs of - _ . are equal. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }
}
