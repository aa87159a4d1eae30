package io.extensa.bench.relay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder recording of this JVM (the gateway's) during one run, summarized by
 * sample counts.
 *
 * <p>Two samplers: {@code jdk.ExecutionSample} (every 10 ms, only threads running Java code) and,
 * on JDK 25+, the experimental {@code jdk.CPUTimeSample}, which takes a sample per 10 ms of CPU
 * time a thread consumed, inside system calls too. A relay spends most of its CPU in the kernel
 * (socket reads and writes, waking threads), so only the CPU-time sampler sees where it goes; on
 * an older JDK the event does not exist and its tally stays empty.
 */
final class JfrProfile implements AutoCloseable {

    static final Duration SAMPLE_PERIOD = Duration.ofMillis(10);
    static final String CPU_TIME_SAMPLE = "jdk.CPUTimeSample";
    static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    private static final String EXTENSA_PACKAGE = "io.extensa.";

    private final Recording recording;

    private JfrProfile(Recording recording) {
        this.recording = recording;
    }

    static JfrProfile start() {
        Recording recording = new Recording();
        recording.setName("extensa-bench-gateway");
        recording.enable(EXECUTION_SAMPLE).withPeriod(SAMPLE_PERIOD);
        recording.enable(CPU_TIME_SAMPLE).with("throttle", SAMPLE_PERIOD.toMillis() + "ms");
        recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
        recording.enable("jdk.GarbageCollection");
        recording.setToDisk(true);
        recording.start();
        return new JfrProfile(recording);
    }

    /** Stops the recording, writes it to {@code file} and summarizes it. */
    Summary stopAndSummarize(Path file, int top) throws IOException {
        recording.stop();
        recording.dump(file);
        recording.close();
        return summarize(file, top);
    }

    @Override
    public void close() {
        recording.close();
    }

    /** One named count, e.g. a method and its samples. */
    record Entry(String name, long count) {
    }

    /**
     * The samples of one sampler.
     *
     * @param samples        samples with a stack trace
     * @param failed         samples the sampler could not walk (no stack)
     * @param byThreadGroup  samples per thread name with its number removed (pg-client-*, ...)
     * @param topFrames      methods on top of the stack: where the CPU was (native methods included)
     * @param topPackages    packages of those methods
     * @param extensaFrames  the innermost Extensa method on each stack: which of our code paths the
     *                       CPU was spent for, including the JDK and kernel work it called
     */
    record Tally(String event, long samples, long failed, List<Entry> byThreadGroup, List<Entry> topFrames,
            List<Entry> topPackages, List<Entry> extensaFrames) {
    }

    /**
     * @param threadLoad per thread group: user and system CPU load summed over the group's one-second
     *                   events; loads are shares of the whole machine, so a sum times the number of
     *                   cores is CPU seconds
     */
    record Summary(Tally cpuTime, Tally execution, Map<String, double[]> threadLoad, long gcCount,
            double gcPauseMillis) {

        /** The CPU-time samples when the JDK has them, otherwise the execution samples. */
        Tally best() {
            return cpuTime.samples() > 0 ? cpuTime : execution;
        }
    }

    static Summary summarize(Path file, int top) throws IOException {
        var cpuTime = new Counter(CPU_TIME_SAMPLE);
        var execution = new Counter(EXECUTION_SAMPLE);
        Map<String, double[]> load = new LinkedHashMap<>();
        long gcCount = 0;
        double gcPause = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                switch (event.getEventType().getName()) {
                    case CPU_TIME_SAMPLE -> cpuTime.add(event, "eventThread",
                            event.hasField("failed") && event.getBoolean("failed"));
                    case EXECUTION_SAMPLE -> execution.add(event, "sampledThread", false);
                    case "jdk.ThreadCPULoad" -> {
                        double[] sums = load.computeIfAbsent(threadGroup(event.getThread("eventThread")),
                                g -> new double[2]);
                        sums[0] += event.getFloat("user");
                        sums[1] += event.getFloat("system");
                    }
                    case "jdk.GarbageCollection" -> {
                        gcCount++;
                        gcPause += event.getDuration("sumOfPauses").toNanos() / 1e6;
                    }
                    default -> {
                        // other events are not summarized
                    }
                }
            }
        }
        return new Summary(cpuTime.tally(top), execution.tally(top), load, gcCount, gcPause);
    }

    /** Counts one sampler's events by thread group, top frame, package and innermost Extensa frame. */
    private static final class Counter {
        private final String event;
        private final Map<String, Long> threads = new HashMap<>();
        private final Map<String, Long> frames = new HashMap<>();
        private final Map<String, Long> packages = new HashMap<>();
        private final Map<String, Long> extensa = new HashMap<>();
        private long samples;
        private long failed;

        Counter(String event) {
            this.event = event;
        }

        void add(RecordedEvent sample, String threadField, boolean failedSample) {
            RecordedStackTrace stack = sample.getStackTrace();
            if (failedSample || stack == null || stack.getFrames().isEmpty()) {
                failed++;
                return;
            }
            samples++;
            threads.merge(threadGroup(sample.getThread(threadField)), 1L, Long::sum);
            RecordedFrame topFrame = stack.getFrames().get(0);
            frames.merge(methodName(topFrame), 1L, Long::sum);
            packages.merge(packageName(topFrame), 1L, Long::sum);
            extensa.merge(innermostExtensaFrame(stack), 1L, Long::sum);
        }

        Tally tally(int top) {
            return new Tally(event, samples, failed, sorted(threads, top), sorted(frames, top), sorted(packages, top),
                    sorted(extensa, top));
        }
    }

    static String threadGroup(RecordedThread thread) {
        if (thread == null) {
            return "(unknown)";
        }
        return threadGroup(thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName());
    }

    /** "pg-client-17" and "pg-client-3" are one group: "pg-client-*". */
    static String threadGroup(String name) {
        if (name == null) {
            return "(unknown)";
        }
        String stripped = name.replaceAll("\\d+$", "");
        return stripped.length() < name.length() ? stripped + "*" : name;
    }

    private static String methodName(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String packageName(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        int dot = type.lastIndexOf('.');
        return dot < 0 ? "(default package)" : type.substring(0, dot);
    }

    private static String innermostExtensaFrame(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            if (frame.getMethod().getType().getName().startsWith(EXTENSA_PACKAGE)) {
                return methodName(frame);
            }
        }
        return "(no Extensa code on the stack)";
    }

    static List<Entry> sorted(Map<String, Long> counts, int top) {
        List<Entry> entries = new ArrayList<>();
        counts.forEach((name, count) -> entries.add(new Entry(name, count)));
        entries.sort((a, b) -> b.count() != a.count() ? Long.compare(b.count(), a.count()) : a.name().compareTo(b.name()));
        return entries.size() > top ? List.copyOf(entries.subList(0, top)) : List.copyOf(entries);
    }
}
