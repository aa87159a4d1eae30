package io.extensa.server.cli;

import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.logging.LogSetup;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows what runs on the data directory.",
                "Server, gateway, PostgreSQL, launchpad; exits 0 when Extensa runs, 3 when it does not."})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    DataDirOption common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LogSetup.quiet();
        PrintWriter out = spec.commandLine().getOut();
        DataDirectory dir = common.resolve();
        StatusReport report = StatusReport.collect(dir);
        out.print(report.render());
        out.flush();
        return report.running() ? ExitCodes.OK : ExitCodes.NOT_RUNNING;
    }
}
