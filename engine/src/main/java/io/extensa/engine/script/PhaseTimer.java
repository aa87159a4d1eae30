package io.extensa.engine.script;

import java.util.ArrayList;
import java.util.List;

/** Where a call's time went, phase by phase, for the debug log and for tuning. */
final class PhaseTimer {

    private final long started = System.nanoTime();
    private long last = started;
    private final List<String> phases = new ArrayList<>();

    void mark(String phase) {
        long now = System.nanoTime();
        phases.add(phase + " " + String.format("%.2f", (now - last) / 1e6));
        last = now;
    }

    double totalMillis() {
        return (last - started) / 1e6;
    }

    @Override
    public String toString() {
        return String.join(", ", phases) + " ms; total " + String.format("%.2f", (last - started) / 1e6) + " ms";
    }
}
