package io.extensa.server.process;

import java.util.List;

/** How an external command ended, with its combined standard output and error. */
public record CommandResult(List<String> command, int exitCode, String output) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The program's name and output, for error messages. */
    public String describe() {
        String program = command.isEmpty() ? "?" : command.get(0);
        String text = output.strip();
        return program + " exited with code " + exitCode + (text.isEmpty() ? "" : ":\n" + text);
    }
}
