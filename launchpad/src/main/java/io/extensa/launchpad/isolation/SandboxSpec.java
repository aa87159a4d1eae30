package io.extensa.launchpad.isolation;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sandbox needs to know about one job: what it may see and who it runs as.
 *
 * @param libraries directories bound read-only for this job only (the external libraries its caller may use)
 */
public record SandboxSpec(String jobId, Path workDir, Path engineSocket, WorkerAccount worker, List<Path> libraries) {

    public SandboxSpec {
        libraries = List.copyOf(libraries);
    }

    public SandboxSpec(String jobId, Path workDir, Path engineSocket, WorkerAccount worker) {
        this(jobId, workDir, engineSocket, worker, List.of());
    }
}
