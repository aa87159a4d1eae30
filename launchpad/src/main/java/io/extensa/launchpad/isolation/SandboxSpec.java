package io.extensa.launchpad.isolation;

import java.nio.file.Path;

/** What a sandbox needs to know about one job: what it may see and who it runs as. */
public record SandboxSpec(String jobId, Path workDir, Path engineSocket, WorkerAccount worker) {
}
