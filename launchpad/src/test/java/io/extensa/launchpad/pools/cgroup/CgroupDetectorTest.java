package io.extensa.launchpad.pools.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Detection on fake /proc and /sys trees, as a v2-only machine and as this repository's v1 CI box show them. */
class CgroupDetectorTest {

    @TempDir
    Path root;

    private void write(String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private void v2Machine(String controllers) throws IOException {
        write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        write("proc/self/cgroup", "0::/user.slice/session-1.scope\n");
        write("sys/fs/cgroup/cgroup.controllers", controllers + "\n");
    }

    private void v1Machine() throws IOException {
        write("proc/self/mountinfo", """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """);
        write("proc/self/cgroup", "8:pids:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
        write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
        Files.createDirectories(root.resolve("sys/fs/cgroup/cpu"));
        Files.createDirectories(root.resolve("sys/fs/cgroup/memory/process_api/abc"));
        Files.createDirectories(root.resolve("sys/fs/cgroup/pids"));
    }

    @Test
    void v2TreeGoesToTheTopOfTheHierarchy() throws IOException {
        v2Machine("cpuset cpu io memory hugetlb pids rdma misc");
        CgroupDetector.Detection detection = new CgroupDetector(root).detect(CgroupDetector.Mode.AUTO,
                Optional.empty(), "extensa");
        CgroupTree tree = detection.tree().orElseThrow();
        assertThat(tree.version()).isEqualTo(CgroupTree.Version.V2);
        assertThat(tree.controllers()).containsExactlyInAnyOrder(Controller.values());
        assertThat(tree.hierarchies().get(0).directory()).isEqualTo(root.resolve("sys/fs/cgroup/extensa"));
    }

    @Test
    void v2ParentCanBeConfigured() throws IOException {
        v2Machine("memory pids");
        write("sys/fs/cgroup/extensa.slice/cgroup.controllers", "memory\n");
        CgroupTree tree = new CgroupDetector(root).detect(CgroupDetector.Mode.V2, Optional.of("/extensa.slice"), "lp")
                .tree().orElseThrow();
        assertThat(tree.controllers()).containsExactly(Controller.MEMORY);
        assertThat(tree.v2Parent()).isEqualTo(root.resolve("sys/fs/cgroup/extensa.slice"));
    }

    @Test
    void v1IsChosenWhenItOffersMoreControllers() throws IOException {
        v1Machine();
        CgroupTree tree = new CgroupDetector(root).detect(CgroupDetector.Mode.AUTO, Optional.empty(), "extensa")
                .tree().orElseThrow();
        assertThat(tree.version()).isEqualTo(CgroupTree.Version.V1);
        assertThat(tree.treeFor(Controller.MEMORY)).isEqualTo(root.resolve("sys/fs/cgroup/memory/process_api/abc/extensa"));
        assertThat(tree.treeFor(Controller.CPU)).isEqualTo(root.resolve("sys/fs/cgroup/cpu/extensa"));
        assertThat(tree.treeFor(Controller.PIDS)).isEqualTo(root.resolve("sys/fs/cgroup/pids/extensa"));
    }

    @Test
    void noUsableControllersSaysWhy() throws IOException {
        v1Machine();
        CgroupDetector.Detection v2Only = new CgroupDetector(root).detect(CgroupDetector.Mode.V2, Optional.empty(), "x");
        assertThat(v2Only.tree()).isEmpty();
        assertThat(v2Only.reason()).isEqualTo("cgroup v2 offers none of memory, cpu, pids to the launchpad's cgroup");
        CgroupDetector.Detection off = new CgroupDetector(root).detect(CgroupDetector.Mode.OFF, Optional.empty(), "x");
        assertThat(off.reason()).contains("launchpad.cgroup = off");
        CgroupDetector.Detection noProc = new CgroupDetector(root.resolve("nowhere")).detect(CgroupDetector.Mode.AUTO,
                Optional.empty(), "x");
        assertThat(noProc.reason()).startsWith("cannot read /proc/self/mountinfo");
    }
}
