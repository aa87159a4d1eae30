package io.extensa.server.cli;

import io.extensa.server.config.ConfigResolver;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.process.OsAccount;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --data-dir} and {@code --verbose}, shared by the commands. */
final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $EXTENSA_DATA_DIR, else /var/lib/extensa as root,"
                    + " else ~/.local/share/extensa).")
    Path dataDir;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of errors.")
    boolean verbose;

    DataDirectory resolve() {
        return new DataDirectory(ConfigResolver.dataDir(Optional.ofNullable(dataDir), System.getenv(),
                OsAccount.currentIsRoot(), Path.of(System.getProperty("user.home"))));
    }
}
