package io.extensa.launchpad.isolation;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceSandboxTest {

    private static final SandboxHelper HELPER = new SandboxHelper(Path.of("/rt/sandbox/extensa-sandbox"),
            Path.of("/rt/sandbox/libextensa_sandbox.so"), Path.of("/rt/sandbox/root"));
    private static final NamespaceSandbox.Limits LIMITS = new NamespaceSandbox.Limits(64L << 20, 32L << 20, 128, 1024,
            true);
    private static final SandboxSpec JOB = new SandboxSpec("job-1", Path.of("/data/jobs/job-1"),
            Path.of("/data/run/jobs/job-1.sock"), new WorkerAccount("extensa-w03", 990, 980));

    private static NamespaceSandbox sandbox(Set<String> namespaces, boolean switchUser) {
        return new NamespaceSandbox(HELPER, namespaces, switchUser, Path.of("/data/jobs"), List.of(Path.of("/rt/python")),
                List.of(Path.of("/etc/secret")), LIMITS, spec -> List.of(Path.of("/sys/fs/cgroup/extensa/job-1/cgroup.procs")));
    }

    @Test
    void theBaseSpecMasksSecretsAfterTheSystemDirectoriesAndCarriesEveryLimit() {
        List<String> lines = sandbox(Set.of("mount", "pid", "net", "ipc", "uts"), true).baseSpec().lines().toList();
        assertThat(lines).startsWith("namespaces=mount,pid,net,ipc,uts", "hostname=extensa-job", "loopback=up",
                "root=/rt/sandbox/root");
        assertThat(lines.indexOf("mask=/etc/shadow")).isGreaterThan(lines.indexOf("ro=/etc"));
        assertThat(lines.indexOf("mask=/etc/secret")).isGreaterThan(lines.indexOf("ro=/etc"));
        assertThat(lines).contains("ro=/rt/python", "jobs_dir=/data/jobs", "tmp_bytes=67108864",
                "rlimit_nproc=128", "rlimit_nofile=1024", "rlimit_fsize=33554432", "rlimit_core=0", "seccomp=on");
        assertThat(lines).noneMatch(line -> line.startsWith("workdir=") || line.startsWith("uid="));
    }

    @Test
    void theJobPartNamesDirectorySocketAccountAndCgroups() {
        assertThat(sandbox(Set.of("mount", "pid", "net"), true).jobSpec(JOB).lines().toList()).containsExactly(
                "workdir=/data/jobs/job-1", "socket=/data/run/jobs/job-1.sock", "uid=990", "gid=980",
                "cgroup_procs=/sys/fs/cgroup/extensa/job-1/cgroup.procs");
    }

    @Test
    void theJobsLibrariesAreBoundForItAloneAndOnlyFromTheLibraryRoot() throws Exception {
        NamespaceSandbox sandbox = new NamespaceSandbox(HELPER, Set.of("mount", "pid"), true, Path.of("/data/jobs"),
                List.of(), List.of(), LIMITS, spec -> List.of(), java.util.Optional.of(Path.of("/data/libraries")));
        List<Path> binds = sandbox.libraryBinds(List.of("/data/libraries/python/private/alice/lib-0123",
                "/data/libraries/python/public/pub-4567"));
        SandboxSpec job = new SandboxSpec("job-1", Path.of("/data/jobs/job-1"), Path.of("/data/run/jobs/job-1.sock"),
                new WorkerAccount("extensa-w03", 990, 980), binds);
        assertThat(sandbox.jobSpec(job).lines().toList()).contains(
                "job_ro=/data/libraries/python/private/alice/lib-0123", "job_ro=/data/libraries/python/public/pub-4567");
        assertThat(sandbox.baseSpec()).doesNotContain("/data/libraries");
        for (String outside : List.of("/etc", "/data/libraries", "/data/libraries/../pgdata", "/data/librariesX/y")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> sandbox.libraryBinds(List.of(outside)))
                    .as(outside).isInstanceOf(io.extensa.launchpad.job.LaunchFailure.class)
                    .hasMessageContaining("library_path '" + outside + "'");
        }
    }

    @Test
    void withoutRootTheAccountStaysAndWithoutAMountNamespaceNothingIsBound() {
        assertThat(sandbox(Set.of("user", "mount", "net"), false).jobSpec(JOB)).doesNotContain("uid=");
        NamespaceSandbox bare = sandbox(Set.of(), false);
        assertThat(bare.baseSpec()).startsWith("namespaces=\n").doesNotContain("root=").doesNotContain("ro=");
        assertThat(bare.jobSpec(JOB)).doesNotContain("workdir=").doesNotContain("socket=");
    }

    @Test
    void aColdSatelliteRunsTheHelperWithTheWholeSpec() {
        NamespaceSandbox sandbox = sandbox(Set.of("mount", "pid", "net", "ipc", "uts"), true);
        List<String> command = sandbox.wrap(List.of("/usr/bin/python3", "sat.py"), JOB);
        assertThat(command).containsExactly("/rt/sandbox/extensa-sandbox", sandbox.baseSpec() + sandbox.jobSpec(JOB),
                "--", "/usr/bin/python3", "sat.py");
        assertThat(sandbox.forkServerEnvironment()).containsEntry("EXTENSA_SANDBOX_SPEC", sandbox.baseSpec())
                .containsEntry("EXTENSA_SANDBOX_LIB", "/rt/sandbox/libextensa_sandbox.so");
    }

    @Test
    void accountIdsAreReadFromPasswdStyleFiles() throws Exception {
        Path passwd = Files.createTempFile("passwd", "");
        try {
            Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nextensa-w01:x:990:980::/nonexistent:/usr/sbin/nologin\n");
            assertThat(WorkerPool.lookup(passwd, "extensa-w01")).contains(990L);
            assertThat(WorkerPool.lookup(passwd, "extensa-w0")).isEmpty();
        } finally {
            Files.delete(passwd);
        }
    }
}
