package io.extensa.server.cli;

import io.extensa.server.ExtensaException;
import io.extensa.server.launchpad.LaunchpadProcess;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code extensa launchpad ARGS}: runs the launchpad daemon on its own, in this JVM (the same
 * program {@code extensa start} runs as a child), e.g.
 * {@code extensa launchpad --socket PATH --jobs-dir DIR --runtime-dir DIR [--config FILE]}.
 */
@Command(name = "launchpad",
        description = {"Runs the launchpad daemon on its own.",
                "Arguments go to the launchpad: --socket PATH --jobs-dir DIR --runtime-dir DIR [--config FILE]."})
final class LaunchpadCommand implements Callable<Integer> {

    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LaunchpadProcess.LOGBACK_RESOURCE);
        }
        Method main;
        try {
            // Looked up by name: the server starts the launchpad by class name too, as a child JVM.
            main = Class.forName(LaunchpadProcess.MAIN_CLASS).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new ExtensaException("the launchpad is missing from this build (" + LaunchpadProcess.MAIN_CLASS
                    + "); run bin/setup to build Extensa");
        }
        try {
            main.invoke(null, (Object) arguments.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        // The daemon's own threads keep the JVM alive; exiting here would cut them off.
        return ExitCodes.KEEP_RUNNING;
    }
}
