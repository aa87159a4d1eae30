package io.extensa.engine.library;

/** One file a library installs, as listed in sys.external_library_files. */
public record LibraryFile(String path, long size) {
}
