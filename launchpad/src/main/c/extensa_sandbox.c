/*
 * The sandbox steps behind extensa_sandbox.h. Everything here runs in the process that is about
 * to become a satellite, before any job code: no threads, no allocation that outlives a call
 * except the parsed spec, no output (errors go to the caller's buffer).
 */
#define _GNU_SOURCE
#include "extensa_sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

#ifndef MS_REC
#define MS_REC 16384
#endif
#ifndef MS_PRIVATE
#define MS_PRIVATE (1 << 18)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
/* linux/securebits.h, spelled out so old headers do not matter */
#define XS_SECBIT_NOROOT (1 << 0)
#define XS_SECBIT_NOROOT_LOCKED (1 << 1)
#define XS_SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define XS_SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define XS_SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
/* mount_setattr(2), Linux 5.12 */
#define XS_AT_RECURSIVE 0x8000
#define XS_MOUNT_ATTR_RDONLY 0x00000001
#define XS_MOUNT_ATTR_NOSUID 0x00000002
#define XS_MOUNT_ATTR_NODEV 0x00000004
struct xs_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};

#define NS_USER 0x01
#define NS_MOUNT 0x02
#define NS_PID 0x04
#define NS_NET 0x08
#define NS_IPC 0x10
#define NS_UTS 0x20

#define MAX_LIST 64
#define ROOT_TMPFS_OPTIONS "mode=0755,size=1m,nr_inodes=4096"
#define DEV_TMPFS_OPTIONS "mode=0755,size=64k,nr_inodes=64"

struct rlimit_setting {
    int set;
    struct rlimit value;
};

struct spec {
    char *buffer;
    int namespaces;
    const char *hostname;
    int loopback_up;
    const char *root;
    /* ro= and mask= in the order given: a later entry may bind into an earlier mask */
    struct {
        const char *path;
        int mask;
    } view_entries[MAX_LIST];
    int n_view;
    unsigned long long tmp_bytes;
    const char *jobs_dir;
    const char *workdir;
    const char *socket;
    /* job_ro=: the job's own read-only binds (its libraries), made at enter, not in the shared view */
    const char *job_ro[MAX_LIST];
    int n_job_ro;
    const char *cgroup_procs[MAX_LIST];
    int n_cgroup;
    const char *spare_cgroups[MAX_LIST];
    int n_spare_cgroup;
    struct rlimit_setting rlimits[RLIM_NLIMITS];
    long long uid;
    long long gid;
    int keep_fd[MAX_LIST];
    int n_keep;
    int seccomp;
};

/* ---- errors and timings ------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, int errnum, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int errnum, const char *format, ...) {
    if (err != NULL && errlen > 0) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(err, errlen, format, args);
        va_end(args);
        if (errnum != 0 && n >= 0 && (size_t) n < errlen) {
            snprintf(err + n, errlen - (size_t) n, ": %s", strerror(errnum));
        }
    }
    errno = errnum;
    return -1;
}

#define MAX_STEPS 48
static struct {
    const char *name;
    long long ns;
} steps[MAX_STEPS];
static int n_steps;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void step(const char *name, long long started) {
    if (n_steps < MAX_STEPS) {
        steps[n_steps].name = name;
        steps[n_steps].ns = now_ns() - started;
        n_steps++;
    }
}

int extensa_sandbox_timings(char *out, size_t outlen) {
    size_t used = 0;
    if (outlen == 0) {
        return -1;
    }
    out[0] = '\0';
    for (int i = 0; i < n_steps; i++) {
        int n = snprintf(out + used, outlen - used, "%s%s=%lld", i ? " " : "", steps[i].name, steps[i].ns);
        if (n < 0 || (size_t) n >= outlen - used) {
            return -1;
        }
        used += (size_t) n;
    }
    return 0;
}

int extensa_sandbox_version(void) {
    return EXTENSA_SANDBOX_VERSION;
}

/* ---- the spec -------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int resource;
} RLIMITS[] = {
    {"rlimit_nproc", RLIMIT_NPROC},   {"rlimit_nofile", RLIMIT_NOFILE}, {"rlimit_fsize", RLIMIT_FSIZE},
    {"rlimit_core", RLIMIT_CORE},     {"rlimit_as", RLIMIT_AS},         {"rlimit_cpu", RLIMIT_CPU},
    {"rlimit_data", RLIMIT_DATA},     {"rlimit_stack", RLIMIT_STACK},   {"rlimit_memlock", RLIMIT_MEMLOCK},
};

static void free_spec(struct spec *s) {
    free(s->buffer);
    s->buffer = NULL;
}

static int parse_number(const char *text, unsigned long long *out) {
    if (*text == '\0') {
        return -1;
    }
    if (strcmp(text, "unlimited") == 0) {
        *out = (unsigned long long) RLIM_INFINITY;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '-') {
        return -1;
    }
    *out = value;
    return 0;
}

/* A path the sandbox mounts: absolute, no "..", no "//" games, short enough to prefix with root. */
static int check_path(const char *key, const char *path, char *err, size_t errlen) {
    if (path[0] != '/') {
        return fail(err, errlen, 0, "spec: %s=%s is not an absolute path", key, path);
    }
    if (strlen(path) > PATH_MAX / 2) {
        return fail(err, errlen, 0, "spec: %s is too long", key);
    }
    for (const char *p = path; *p; p++) {
        if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')) {
            return fail(err, errlen, 0, "spec: %s=%s contains '..'", key, path);
        }
    }
    return 0;
}

static int add_to(const char **list, int *count, const char *key, const char *value, char *err, size_t errlen) {
    if (*count >= MAX_LIST) {
        return fail(err, errlen, 0, "spec: more than %d %s entries", MAX_LIST, key);
    }
    if (check_path(key, value, err, errlen) < 0) {
        return -1;
    }
    list[(*count)++] = value;
    return 0;
}

static int parse_namespaces(struct spec *s, char *value, char *err, size_t errlen) {
    s->namespaces = 0;
    char *save = NULL;
    for (char *name = strtok_r(value, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        if (strcmp(name, "user") == 0) s->namespaces |= NS_USER;
        else if (strcmp(name, "mount") == 0) s->namespaces |= NS_MOUNT;
        else if (strcmp(name, "pid") == 0) s->namespaces |= NS_PID;
        else if (strcmp(name, "net") == 0) s->namespaces |= NS_NET;
        else if (strcmp(name, "ipc") == 0) s->namespaces |= NS_IPC;
        else if (strcmp(name, "uts") == 0) s->namespaces |= NS_UTS;
        else return fail(err, errlen, 0, "spec: unknown namespace '%s' (user, mount, pid, net, ipc, uts)", name);
    }
    return 0;
}

static int parse_rlimit(struct spec *s, int resource, const char *key, char *value, char *err, size_t errlen) {
    char *colon = strchr(value, ':');
    unsigned long long soft, hard;
    if (colon != NULL) {
        *colon = '\0';
    }
    if (parse_number(value, &soft) < 0 || (colon != NULL && parse_number(colon + 1, &hard) < 0)) {
        return fail(err, errlen, 0, "spec: %s needs a number, 'unlimited' or soft:hard", key);
    }
    if (colon == NULL) {
        hard = soft;
    }
    if (soft > hard) {
        return fail(err, errlen, 0, "spec: %s soft limit above the hard limit", key);
    }
    s->rlimits[resource].set = 1;
    s->rlimits[resource].value.rlim_cur = (rlim_t) soft;
    s->rlimits[resource].value.rlim_max = (rlim_t) hard;
    return 0;
}

static int parse_line(struct spec *s, char *line, char *err, size_t errlen) {
    char *eq = strchr(line, '=');
    if (eq == NULL) {
        return fail(err, errlen, 0, "spec: line '%s' is not key=value", line);
    }
    *eq = '\0';
    const char *key = line;
    char *value = eq + 1;
    unsigned long long number;
    if (strcmp(key, "namespaces") == 0) return parse_namespaces(s, value, err, errlen);
    if (strcmp(key, "hostname") == 0) {
        if (strlen(value) == 0 || strlen(value) > 64) {
            return fail(err, errlen, 0, "spec: hostname must have 1 to 64 characters");
        }
        s->hostname = value;
        return 0;
    }
    if (strcmp(key, "loopback") == 0) {
        if (strcmp(value, "up") != 0 && strcmp(value, "down") != 0) {
            return fail(err, errlen, 0, "spec: loopback must be up or down");
        }
        s->loopback_up = strcmp(value, "up") == 0;
        return 0;
    }
    if (strcmp(key, "root") == 0) {
        s->root = value;
        return check_path(key, value, err, errlen);
    }
    if (strcmp(key, "ro") == 0 || strcmp(key, "mask") == 0) {
        if (s->n_view >= MAX_LIST) {
            return fail(err, errlen, 0, "spec: more than %d ro and mask entries", MAX_LIST);
        }
        if (check_path(key, value, err, errlen) < 0) {
            return -1;
        }
        s->view_entries[s->n_view].path = value;
        s->view_entries[s->n_view].mask = key[0] == 'm';
        s->n_view++;
        return 0;
    }
    if (strcmp(key, "cgroup_procs") == 0) return add_to(s->cgroup_procs, &s->n_cgroup, key, value, err, errlen);
    if (strcmp(key, "spare_cgroup") == 0) {
        if (check_path(key, value, err, errlen) < 0) {
            return -1;
        }
        return add_to(s->spare_cgroups, &s->n_spare_cgroup, key, value, err, errlen);
    }
    if (strcmp(key, "job_ro") == 0) return add_to(s->job_ro, &s->n_job_ro, key, value, err, errlen);
    if (strcmp(key, "tmp_bytes") == 0) {
        if (parse_number(value, &number) < 0 || number < 4096 || number == (unsigned long long) RLIM_INFINITY) {
            return fail(err, errlen, 0, "spec: tmp_bytes must be a number of bytes, at least 4096");
        }
        s->tmp_bytes = number;
        return 0;
    }
    if (strcmp(key, "workdir") == 0) {
        s->workdir = value;
        return check_path(key, value, err, errlen);
    }
    if (strcmp(key, "jobs_dir") == 0) {
        s->jobs_dir = value;
        return check_path(key, value, err, errlen);
    }
    if (strcmp(key, "socket") == 0) {
        s->socket = value;
        return check_path(key, value, err, errlen);
    }
    if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
        if (parse_number(value, &number) < 0 || number == 0 || number >= (unsigned long long) UINT32_MAX) {
            return fail(err, errlen, 0, "spec: %s must be a positive number (never 0: root)", key);
        }
        if (key[0] == 'u') s->uid = (long long) number;
        else s->gid = (long long) number;
        return 0;
    }
    if (strcmp(key, "seccomp") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
            return fail(err, errlen, 0, "spec: seccomp must be on or off");
        }
        s->seccomp = strcmp(value, "on") == 0;
        return 0;
    }
    if (strcmp(key, "keep_fd") == 0) {
        if (parse_number(value, &number) < 0 || number > INT_MAX) {
            return fail(err, errlen, 0, "spec: keep_fd must be a descriptor number");
        }
        if (s->n_keep >= MAX_LIST) {
            return fail(err, errlen, 0, "spec: too many keep_fd entries");
        }
        s->keep_fd[s->n_keep++] = (int) number;
        return 0;
    }
    for (size_t i = 0; i < sizeof RLIMITS / sizeof RLIMITS[0]; i++) {
        if (strcmp(key, RLIMITS[i].name) == 0) {
            return parse_rlimit(s, RLIMITS[i].resource, key, value, err, errlen);
        }
    }
    return fail(err, errlen, 0, "spec: unknown key '%s'", key);
}

static int parse_spec(const char *text, struct spec *s, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->uid = -1;
    s->gid = -1;
    if (text == NULL) {
        return fail(err, errlen, 0, "spec: none given");
    }
    s->buffer = strdup(text);
    if (s->buffer == NULL) {
        return fail(err, errlen, ENOMEM, "spec");
    }
    char *save = NULL;
    for (char *line = strtok_r(s->buffer, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\r') {
            line[--n] = '\0';
        }
        if (n == 0 || line[0] == '#') {
            continue;
        }
        if (parse_line(s, line, err, errlen) < 0) {
            free_spec(s);
            return -1;
        }
    }
    if ((s->namespaces & NS_MOUNT) && s->root == NULL) {
        free_spec(s);
        return fail(err, errlen, 0, "spec: a mount namespace needs root= (an empty directory to build the view in)");
    }
    if ((s->uid < 0) != (s->gid < 0)) {
        free_spec(s);
        return fail(err, errlen, 0, "spec: uid and gid go together");
    }
    return 0;
}

/* ---- small file-system helpers --------------------------------------------------------------- */

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t length = strlen(text);
    ssize_t n = write(fd, text, length);
    int saved = errno;
    close(fd);
    if (n != (ssize_t) length) {
        errno = n < 0 ? saved : EIO;
        return -1;
    }
    return 0;
}

/* root + path, e.g. "/run/x/root" + "/usr" */
static int join(char *out, const char *root, const char *path) {
    int n = snprintf(out, PATH_MAX, "%s%s", root, path);
    if (n < 0 || n >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* mkdir -p; directories made here get mode and (when uid >= 0) an owner */
static int make_dirs(const char *path, mode_t mode) {
    char buffer[PATH_MAX];
    size_t length = strlen(path);
    if (length >= sizeof buffer) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buffer, path, length + 1);
    for (char *p = buffer + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buffer, mode) < 0 && errno != EEXIST) {
                return -1;
            }
            *p = saved;
            if (saved == '\0') {
                return 0;
            }
        }
    }
}

static int make_parent_dirs(const char *path) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash == parent) {
        return 0;
    }
    *slash = '\0';
    return make_dirs(parent, 0755);
}

static int touch(const char *path, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return 0;
}

/*
 * Makes a bind mount read-only (and nosuid, nodev). mount_setattr does it for the whole tree and
 * only ever adds flags; the old remount needs every flag the kernel locked on the source mount
 * (in a user namespace it refuses to drop them), so it copies them from statvfs.
 */
static int make_read_only(const char *target, int keep_devices) {
#ifdef SYS_mount_setattr
    struct xs_mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = XS_MOUNT_ATTR_RDONLY | XS_MOUNT_ATTR_NOSUID | (keep_devices ? 0 : XS_MOUNT_ATTR_NODEV);
    if (syscall(SYS_mount_setattr, AT_FDCWD, target, XS_AT_RECURSIVE, &attr, sizeof attr) == 0) {
        return 0;
    }
    if (errno != ENOSYS && errno != EINVAL) {
        return -1;
    }
#endif
    struct statvfs info;
    if (statvfs(target, &info) < 0) {
        return -1;
    }
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID;
    if (!keep_devices || (info.f_flag & ST_NODEV)) flags |= MS_NODEV;
    if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return mount(NULL, target, NULL, flags, NULL);
}

static void close_from_to(unsigned int from, unsigned int to) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, from, to, 0) == 0) {
        return;
    }
#endif
    struct rlimit limit;
    unsigned int top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
            && limit.rlim_cur < 1048576 ? (unsigned int) limit.rlim_cur : 65536;
    for (unsigned int fd = from; fd <= to && fd < top; fd++) {
        close((int) fd);
    }
}

/* Closes every descriptor from lowest up, except those in keep. */
static void close_descriptors(const int *keep, int n_keep, int lowest) {
    int sorted[MAX_LIST];
    int n = 0;
    for (int i = 0; i < n_keep && n < MAX_LIST; i++) {
        if (keep[i] >= lowest) {
            sorted[n++] = keep[i];
        }
    }
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    }
    unsigned int from = (unsigned int) lowest;
    for (int i = 0; i < n; i++) {
        unsigned int kept = (unsigned int) sorted[i];
        if (kept > from) {
            close_from_to(from, kept - 1);
        }
        if (kept >= from) {
            from = kept + 1;
        }
    }
    close_from_to(from, ~0U);
}

/* ---- step 1: namespaces ---------------------------------------------------------------------- */

static int loopback_up(char *err, size_t errlen) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(err, errlen, errno, "cannot bring up the loopback interface: socket");
    }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &request) < 0) {
        int e = errno;
        close(fd);
        return fail(err, errlen, e, "cannot read the loopback interface's flags");
    }
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &request) < 0) {
        int e = errno;
        close(fd);
        return fail(err, errlen, e, "cannot bring up the loopback interface");
    }
    close(fd);
    return 0;
}

static int clone_flags(int namespaces) {
    int flags = 0;
    if (namespaces & NS_MOUNT) flags |= CLONE_NEWNS;
    if (namespaces & NS_PID) flags |= CLONE_NEWPID;
    if (namespaces & NS_NET) flags |= CLONE_NEWNET;
    if (namespaces & NS_IPC) flags |= CLONE_NEWIPC;
    if (namespaces & NS_UTS) flags |= CLONE_NEWUTS;
    return flags;
}

/* Maps the caller's own uid and gid into its new user namespace (no other id exists there). */
static int map_ids(uid_t uid, gid_t gid, char *err, size_t errlen) {
    char line[64];
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
    if (write_file("/proc/self/uid_map", line) < 0) {
        return fail(err, errlen, errno, "cannot write /proc/self/uid_map");
    }
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) {
        return fail(err, errlen, errno, "cannot write /proc/self/setgroups");
    }
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
    if (write_file("/proc/self/gid_map", line) < 0) {
        return fail(err, errlen, errno, "cannot write /proc/self/gid_map");
    }
    return 0;
}

static int unshare_step(const struct spec *s, char *err, size_t errlen) {
    long long t = now_ns();
    int flags = clone_flags(s->namespaces);
    if (s->namespaces & NS_USER) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | flags) < 0) {
            return fail(err, errlen, errno, "unshare(user + namespaces 0x%x)", (unsigned) flags);
        }
        step("unshare", t);
        t = now_ns();
        if (map_ids(uid, gid, err, errlen) < 0) {
            return -1;
        }
        step("userns_map", t);
    } else if (flags != 0) {
        if (unshare(flags) < 0) {
            return fail(err, errlen, errno, "unshare(namespaces 0x%x)", (unsigned) flags);
        }
        step("unshare", t);
    }
    if (s->namespaces & NS_MOUNT) {
        t = now_ns();
        /* nothing mounted from here on may reach the host's mount table */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            return fail(err, errlen, errno, "cannot make the mount namespace private");
        }
        step("mount_private", t);
    }
    if ((s->namespaces & NS_UTS) && s->hostname != NULL) {
        t = now_ns();
        if (sethostname(s->hostname, strlen(s->hostname)) < 0) {
            return fail(err, errlen, errno, "sethostname");
        }
        step("hostname", t);
    }
    if ((s->namespaces & NS_NET) && s->loopback_up) {
        t = now_ns();
        if (loopback_up(err, errlen) < 0) {
            return -1;
        }
        step("loopback", t);
    }
    return 0;
}

/*
 * A warm spare moves itself into a leaf cgroup of its own, spare_<pid>, under each directory
 * given (the default pool's), before it forks anything: its whole future process tree is born
 * there, and the launchpad hands the leaf to the job by renaming it. Moving a process between
 * cgroups waits for an RCU grace period (10-25 ms here), which this takes off the job's path.
 * Best effort: a spare that cannot do it is still a good spare (the launchpad then moves it).
 */
static void join_spare_cgroups(const struct spec *s) {
    long long t = now_ns();
    char leaf[PATH_MAX];
    char procs[PATH_MAX];
    for (int i = 0; i < s->n_spare_cgroup; i++) {
        int n = snprintf(leaf, sizeof leaf, "%s/spare_%ld", s->spare_cgroups[i], (long) getpid());
        if (n < 0 || (size_t) n >= sizeof leaf || snprintf(procs, sizeof procs, "%s/cgroup.procs", leaf) < 0) {
            continue;
        }
        if (mkdir(leaf, 0755) < 0 && errno != EEXIST) {
            continue;
        }
        if (write_file(procs, "0") < 0) {
            rmdir(leaf);
        }
    }
    if (s->n_spare_cgroup > 0) {
        step("spare_cgroup", t);
    }
}

int extensa_sandbox_unshare(const char *text, char *err, size_t errlen) {
    struct spec s;
    n_steps = 0;
    if (parse_spec(text, &s, err, errlen) < 0) {
        return -1;
    }
    join_spare_cgroups(&s);
    int result = unshare_step(&s, err, errlen);
    free_spec(&s);
    return result;
}

/* ---- step 2: the job-independent view of the file system ------------------------------------- */

/* Set once the sandbox's root is built, and once the process has switched into it. */
static int root_built;
static int pivoted;

static int bind_read_only(const char *root, const char *path, char *err, size_t errlen) {
    char target[PATH_MAX];
    struct stat info;
    if (lstat(path, &info) < 0) {
        if (errno == ENOENT) {
            return 0; /* e.g. /lib32 on a machine without it */
        }
        return fail(err, errlen, errno, "cannot bind %s into the sandbox: stat", path);
    }
    if (join(target, root, path) < 0 || make_parent_dirs(target) < 0) {
        return fail(err, errlen, errno, "cannot make the mount point for %s", path);
    }
    if (S_ISLNK(info.st_mode)) {
        /* /bin -> usr/bin on merged-/usr systems: the same link, pointing into the sandbox's /usr */
        char link[PATH_MAX];
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n < 0) {
            return fail(err, errlen, errno, "readlink %s", path);
        }
        link[n] = '\0';
        if (symlink(link, target) < 0 && errno != EEXIST) {
            return fail(err, errlen, errno, "cannot recreate the link %s in the sandbox", path);
        }
        return 0;
    }
    if (S_ISDIR(info.st_mode)) {
        if (mkdir(target, 0755) < 0 && errno != EEXIST) {
            return fail(err, errlen, errno, "cannot make the mount point for %s", path);
        }
    } else if (touch(target, 0644) < 0 && errno != EEXIST) {
        return fail(err, errlen, errno, "cannot make the mount point for %s", path);
    }
    if (mount(path, target, NULL, MS_BIND | MS_REC, NULL) < 0) {
        return fail(err, errlen, errno, "cannot bind %s into the sandbox", path);
    }
    if (make_read_only(target, 0) < 0) {
        return fail(err, errlen, errno, "cannot make %s read-only in the sandbox", path);
    }
    return 0;
}

#define MASK_TMPFS_OPTIONS "mode=0755,size=64k,nr_inodes=256"

/* directory masks stay writable while the view is built (later entries may mount into them) */
static char masked_dirs[MAX_LIST][PATH_MAX];
static int n_masked_dirs;

/*
 * Hides a path: a directory behind an empty file system of its own, a file behind an empty,
 * unreadable one.
 */
static int mask_path(const char *root, const char *path, const char *empty_file, char *err, size_t errlen) {
    char target[PATH_MAX];
    struct stat info;
    if (join(target, root, path) < 0) {
        return fail(err, errlen, errno, "mask %s", path);
    }
    if (lstat(target, &info) < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return 0;
        }
        return fail(err, errlen, errno, "cannot mask %s: stat", path);
    }
    if (S_ISLNK(info.st_mode)) {
        return fail(err, errlen, 0, "cannot mask %s: it is a symbolic link (mask its target)", path);
    }
    if (S_ISDIR(info.st_mode)) {
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, MASK_TMPFS_OPTIONS) < 0) {
            return fail(err, errlen, errno, "cannot mask %s", path);
        }
        if (n_masked_dirs < MAX_LIST) {
            snprintf(masked_dirs[n_masked_dirs++], PATH_MAX, "%s", target);
        }
        return 0;
    }
    if (mount(empty_file, target, NULL, MS_BIND, NULL) < 0) {
        return fail(err, errlen, errno, "cannot mask %s", path);
    }
    if (make_read_only(target, 0) < 0) {
        return fail(err, errlen, errno, "cannot make the mask over %s read-only", path);
    }
    return 0;
}

static int seal_masks(char *err, size_t errlen) {
    for (int i = 0; i < n_masked_dirs; i++) {
        if (mount(NULL, masked_dirs[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0) {
            return fail(err, errlen, errno, "cannot make the mask %s read-only", masked_dirs[i]);
        }
    }
    n_masked_dirs = 0;
    return 0;
}

static const char *const DEVICES[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int minimal_dev(const char *root, char *err, size_t errlen) {
    char dev[PATH_MAX];
    char target[PATH_MAX];
    if (join(dev, root, "/dev") < 0 || mkdir(dev, 0755) < 0) {
        return fail(err, errlen, errno, "cannot make /dev in the sandbox");
    }
    if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, DEV_TMPFS_OPTIONS) < 0) {
        return fail(err, errlen, errno, "cannot mount /dev in the sandbox");
    }
    for (size_t i = 0; i < sizeof DEVICES / sizeof DEVICES[0]; i++) {
        char source[64];
        snprintf(source, sizeof source, "/dev/%s", DEVICES[i]);
        if (join(target, root, source) < 0 || access(source, F_OK) < 0) {
            continue;
        }
        if (touch(target, 0666) < 0 || mount(source, target, NULL, MS_BIND, NULL) < 0) {
            return fail(err, errlen, errno, "cannot bind %s into the sandbox", source);
        }
    }
    static const char *const LINKS[][2] = {
        {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"}, {"shm", "/tmp"},
    };
    for (size_t i = 0; i < sizeof LINKS / sizeof LINKS[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "/dev/%s", LINKS[i][0]);
        if (join(target, root, name) < 0 || symlink(LINKS[i][1], target) < 0) {
            return fail(err, errlen, errno, "cannot link /dev/%s in the sandbox", LINKS[i][0]);
        }
    }
    if (mount(NULL, dev, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0) {
        return fail(err, errlen, errno, "cannot make /dev read-only in the sandbox");
    }
    return 0;
}

/*
 * The jobs directory shows nothing but the job's own directory: an empty file system of its own
 * covers it (other jobs' directories, pid and output files), and enter binds the job's directory
 * from the host onto it, so whatever the engine later puts there (sockets) is seen inside.
 */
static int jobs_directory(const struct spec *s, char *err, size_t errlen) {
    char target[PATH_MAX];
    if (join(target, s->root, s->jobs_dir) < 0) {
        return fail(err, errlen, errno, "jobs_dir");
    }
    if (make_dirs(target, 0755) < 0) {
        return fail(err, errlen, errno, "cannot make the mount point %s in the sandbox", s->jobs_dir);
    }
    if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, MASK_TMPFS_OPTIONS) < 0) {
        return fail(err, errlen, errno, "cannot cover %s in the sandbox", s->jobs_dir);
    }
    return 0;
}

static int make_old_root_mount_point(const char *root, char *err, size_t errlen);

static int build_root(const struct spec *s, char *err, size_t errlen) {
    char path[PATH_MAX];
    const char *root = s->root;
    long long t = now_ns();
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, ROOT_TMPFS_OPTIONS) < 0) {
        return fail(err, errlen, errno, "cannot mount the sandbox's root on %s", root);
    }
    step("root_tmpfs", t);

    t = now_ns();
    /* one size-limited file system for everything the job may write: /tmp, /dev/shm, its directory */
    if (join(path, root, "/tmp") < 0 || mkdir(path, 01777) < 0) {
        return fail(err, errlen, errno, "cannot make /tmp in the sandbox");
    }
    char options[96];
    snprintf(options, sizeof options, "mode=1777,size=%llu", s->tmp_bytes ? s->tmp_bytes : 64ULL << 20);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) {
        return fail(err, errlen, errno, "cannot mount the sandbox's /tmp");
    }
    step("tmp", t);

    t = now_ns();
    if (minimal_dev(root, err, errlen) < 0) {
        return -1;
    }
    step("dev", t);

    t = now_ns();
    char empty_file[PATH_MAX];
    if (join(empty_file, root, "/.masked") < 0 || touch(empty_file, 0) < 0) {
        return fail(err, errlen, errno, "cannot make the mask file");
    }
    for (int i = 0; i < s->n_view; i++) {
        int result = s->view_entries[i].mask
                ? mask_path(root, s->view_entries[i].path, empty_file, err, errlen)
                : bind_read_only(root, s->view_entries[i].path, err, errlen);
        if (result < 0) {
            return -1;
        }
    }
    /* the file masks keep the inode; the name goes */
    unlink(empty_file);
    step("view", t);

    if (s->jobs_dir != NULL) {
        t = now_ns();
        /* after the view: it must lie on top of a read-only bind or mask that contains its path */
        if (jobs_directory(s, err, errlen) < 0) {
            return -1;
        }
        step("jobs_dir", t);
    }
    if (seal_masks(err, errlen) < 0) {
        return -1;
    }

    if (make_old_root_mount_point(root, err, errlen) < 0) {
        return -1;
    }
    t = now_ns();
    if (join(path, root, "/proc") < 0 || mkdir(path, 0555) < 0) {
        return fail(err, errlen, errno, "cannot make /proc in the sandbox");
    }
    if (s->namespaces & NS_PID) {
        if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
            return fail(err, errlen, errno, "cannot mount /proc in the sandbox");
        }
    } else if (mount("/proc", path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        return fail(err, errlen, errno, "cannot bind /proc into the sandbox");
    }
    step("proc", t);
    root_built = 1;
    return 0;
}

/*
 * The old root goes below OLD_ROOT_PARENT, a directory nobody without capabilities may enter
 * (mode 0 on the read-only root). Detaching it waits for an RCU grace period (milliseconds on a
 * busy machine), so it is not done on the job's path: the namespace's init does it as soon as the
 * satellite has switched (SIGUSR1); without a PID namespace the satellite does it itself.
 */
#define OLD_ROOT_PARENT "/.old-root"
#define OLD_ROOT OLD_ROOT_PARENT "/host"

static int make_old_root_mount_point(const char *root, char *err, size_t errlen) {
    char parent[PATH_MAX];
    char put[PATH_MAX];
    if (join(parent, root, OLD_ROOT_PARENT) < 0 || join(put, root, OLD_ROOT) < 0
            || mkdir(parent, 0700) < 0 || mkdir(put, 0700) < 0 || chmod(parent, 0) < 0) {
        return fail(err, errlen, errno, "cannot make the mount point for the host's root");
    }
    return 0;
}

static int switch_root(const struct spec *s, char *err, size_t errlen) {
    long long t = now_ns();
    if (chdir(s->root) < 0) {
        return fail(err, errlen, errno, "chdir %s", s->root);
    }
    if (syscall(SYS_pivot_root, ".", "." OLD_ROOT) < 0) {
        return fail(err, errlen, errno, "pivot_root into the sandbox");
    }
    step("pivot_root", t);
    t = now_ns();
    if (chdir("/") < 0) {
        return fail(err, errlen, errno, "chdir /");
    }
    /* a bind remount: a superblock remount would refuse while the masks' unlinked inodes live */
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
        return fail(err, errlen, errno, "cannot make the sandbox's root read-only");
    }
    step("root_read_only", t);
    t = now_ns();
    if ((s->namespaces & NS_PID) && getpid() == 2) {
        kill(1, SIGUSR1);  /* PID 2 is the satellite of a namespace whose init (extensa_sandbox_init or split) detaches */
    } else if (umount2(OLD_ROOT, MNT_DETACH) < 0) {
        return fail(err, errlen, errno, "cannot detach the host's file system");
    }
    pivoted = 1;
    step("old_root_detach", t);
    return 0;
}

static int drop_bounding_set(char *err, size_t errlen);

static int prepare_step(const struct spec *s, char *err, size_t errlen) {
    /* the bounding set only limits what an execve may grant, and the spare runs none before its job:
       emptied now (some 40 system calls), it is off the job's path; the capabilities themselves
       stay until enter, which needs them */
    long long t = now_ns();
    if (drop_bounding_set(err, errlen) < 0) {
        return -1;
    }
    step("bounding_set", t);
    if (!(s->namespaces & NS_MOUNT)) {
        return 0;
    }
    /* the switch waits for enter: the job's directory and socket are bound from the host first */
    return build_root(s, err, errlen);
}

int extensa_sandbox_prepare(const char *text, char *err, size_t errlen) {
    struct spec s;
    if (parse_spec(text, &s, err, errlen) < 0) {
        return -1;
    }
    int result = prepare_step(&s, err, errlen);
    free_spec(&s);
    return result;
}

/* ---- step 3: the job ------------------------------------------------------------------------- */

/* The cgroup seam of resource pools: "0" moves the writer itself, before any job code runs. */
static int write_cgroup(const char *path) {
    return write_file(path, "0");
}

static int join_cgroups(const struct spec *s, char *err, size_t errlen) {
    for (int i = 0; i < s->n_cgroup; i++) {
        if (write_cgroup(s->cgroup_procs[i]) < 0) {
            return fail(err, errlen, errno, "cannot join the cgroup %s", s->cgroup_procs[i]);
        }
    }
    return 0;
}

/* The job's directory from the host, read-write, at its own path; it and its tmp/ become the worker's. */
static int job_directory(const struct spec *s, char *err, size_t errlen) {
    char target[PATH_MAX];
    char sub[PATH_MAX];
    size_t jobs_length = s->jobs_dir != NULL ? strlen(s->jobs_dir) : 0;
    if (jobs_length == 0 || strncmp(s->workdir, s->jobs_dir, jobs_length) != 0 || s->workdir[jobs_length] != '/'
            || strchr(s->workdir + jobs_length + 1, '/') != NULL) {
        return fail(err, errlen, 0, "workdir=%s must be a directory directly in jobs_dir", s->workdir);
    }
    if (pivoted) {
        return fail(err, errlen, 0, "workdir= needs the host's file system, which a prepared sandbox no longer sees");
    }
    if (s->uid >= 0) {
        if (snprintf(sub, sizeof sub, "%s/tmp", s->workdir) >= (int) sizeof sub
                || lchown(s->workdir, (uid_t) s->uid, (gid_t) s->gid) < 0
                || lchown(sub, (uid_t) s->uid, (gid_t) s->gid) < 0) {
            return fail(err, errlen, errno, "cannot give the job directory %s to uid %lld", s->workdir, s->uid);
        }
    }
    if (join(target, s->root, s->workdir) < 0 || mkdir(target, 0700) < 0) {
        return fail(err, errlen, errno, "cannot make the mount point for the job directory in the sandbox");
    }
    if (mount(s->workdir, target, NULL, MS_BIND, NULL) < 0) {
        return fail(err, errlen, errno, "cannot bind the job directory %s into the sandbox", s->workdir);
    }
    if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL) < 0) {
        return fail(err, errlen, errno, "cannot make the job directory nosuid in the sandbox");
    }
    return 0;
}

static int bind_socket(const struct spec *s, char *err, size_t errlen) {
    char target[PATH_MAX];
    struct stat info;
    if (pivoted) {
        return fail(err, errlen, 0, "socket= needs the host's file system, which a prepared sandbox no longer"
                    " sees: connect before and keep the descriptor (keep_fd=)");
    }
    if (lstat(s->socket, &info) < 0 || !S_ISSOCK(info.st_mode)) {
        return fail(err, errlen, errno ? errno : ENOTSOCK, "the job socket %s is not there", s->socket);
    }
    /* connect() needs write permission on the socket: the worker gets it, nobody else sees it */
    if (s->uid >= 0 && lchown(s->socket, (uid_t) s->uid, (gid_t) s->gid) < 0) {
        return fail(err, errlen, errno, "cannot give the job socket %s to uid %lld", s->socket, s->uid);
    }
    if (s->workdir != NULL && strncmp(s->socket, s->workdir, strlen(s->workdir)) == 0
            && s->socket[strlen(s->workdir)] == '/') {
        return 0; /* inside the job directory: seen through its bind */
    }
    if (join(target, s->root, s->socket) < 0 || make_parent_dirs(target) < 0 || touch(target, 0600) < 0) {
        return fail(err, errlen, errno, "cannot make the mount point for the job socket");
    }
    if (mount(s->socket, target, NULL, MS_BIND, NULL) < 0) {
        return fail(err, errlen, errno, "cannot bind the job socket %s into the sandbox", s->socket);
    }
    return 0;
}

/*
 * The job's own read-only directories (the external libraries its caller may use): bound for this
 * job only, so no job sees another user's private libraries. Missing ones are skipped.
 */
static int job_read_only(const struct spec *s, char *err, size_t errlen) {
    if (s->n_job_ro > 0 && pivoted) {
        return fail(err, errlen, 0, "job_ro= needs the host's file system, which a prepared sandbox no longer sees");
    }
    for (int i = 0; i < s->n_job_ro; i++) {
        if (bind_read_only(s->root, s->job_ro[i], err, errlen) < 0) {
            return -1;
        }
    }
    return 0;
}

static int set_rlimits(const struct spec *s, char *err, size_t errlen) {
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        if (!s->rlimits[r].set) {
            continue;
        }
        struct rlimit value = s->rlimits[r].value;
        struct rlimit current;
        /* raising a hard limit takes CAP_SYS_RESOURCE, which containers often lack: only ever lower */
        if (getrlimit(r, &current) == 0 && current.rlim_max != RLIM_INFINITY
                && (value.rlim_max == RLIM_INFINITY || value.rlim_max > current.rlim_max)) {
            value.rlim_max = current.rlim_max;
            if (value.rlim_cur == RLIM_INFINITY || value.rlim_cur > value.rlim_max) {
                value.rlim_cur = value.rlim_max;
            }
        }
        if (setrlimit(r, &value) < 0) {
            return fail(err, errlen, errno, "setrlimit(%d)", r);
        }
    }
    return 0;
}

static int drop_capabilities(char *err, size_t errlen) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) < 0) {
        return fail(err, errlen, errno, "capset");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        return fail(err, errlen, errno, "cannot clear the ambient capabilities");
    }
    if (syscall(SYS_capget, &header, data) < 0) {
        return fail(err, errlen, errno, "capget");
    }
    if (data[0].effective | data[0].permitted | data[0].inheritable | data[1].effective | data[1].permitted
            | data[1].inheritable) {
        return fail(err, errlen, 0, "capabilities are left after dropping them all");
    }
    return 0;
}

/*
 * The seccomp filter: the few system calls that would let a job reshape its own sandbox or reach
 * kernel surfaces it has no use for fail with EPERM (new namespaces, mounts, keyrings, BPF,
 * module loading, perf); clone3 fails with ENOSYS so the C library falls back to clone, whose
 * namespace flags can be checked. Everything else is allowed: this is a second wall behind the
 * namespaces and the missing capabilities, not a system-call whitelist.
 */
#if defined(__x86_64__)
#define XS_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define XS_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef XS_AUDIT_ARCH
#define XS_DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define XS_NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET \
                            | CLONE_NEWCGROUP)

static int install_seccomp(char *err, size_t errlen) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, XS_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
        /* the x32 ABI's numbers: nothing here uses them */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        XS_DENY(SYS_unshare), XS_DENY(SYS_setns), XS_DENY(SYS_mount), XS_DENY(SYS_umount2),
        XS_DENY(SYS_pivot_root), XS_DENY(SYS_chroot), XS_DENY(SYS_open_tree), XS_DENY(SYS_move_mount),
        XS_DENY(SYS_fsopen), XS_DENY(SYS_fsconfig), XS_DENY(SYS_fsmount), XS_DENY(SYS_fspick),
        XS_DENY(SYS_mount_setattr), XS_DENY(SYS_keyctl), XS_DENY(SYS_add_key), XS_DENY(SYS_request_key),
        XS_DENY(SYS_bpf), XS_DENY(SYS_perf_event_open), XS_DENY(SYS_userfaultfd), XS_DENY(SYS_kexec_load),
        XS_DENY(SYS_init_module), XS_DENY(SYS_finit_module), XS_DENY(SYS_delete_module),
        XS_DENY(SYS_open_by_handle_at), XS_DENY(SYS_swapon), XS_DENY(SYS_swapoff), XS_DENY(SYS_reboot),
        XS_DENY(SYS_acct), XS_DENY(SYS_quotactl), XS_DENY(SYS_personality),
        /* clone: allowed unless it asks for a namespace (flags are the first argument's low word) */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, XS_NAMESPACE_FLAGS, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {(unsigned short) (sizeof filter / sizeof filter[0]), filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) < 0) {
        return fail(err, errlen, errno, "cannot install the seccomp filter");
    }
    return 0;
}
#else
static int install_seccomp(char *err, size_t errlen) {
    (void) err;
    (void) errlen;
    return 0; /* no filter for this architecture: the namespaces and capabilities still hold */
}
#endif

/* Set once the bounding set is empty: a warm spare empties it before its job (see prepare_step). */
static int bounding_set_empty;

static int drop_bounding_set(char *err, size_t errlen) {
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) {
                break; /* past the last capability this kernel knows */
            }
            if (errno == EPERM) {
                break; /* no CAP_SETPCAP: an unprivileged process, whose bounding set cannot matter */
            }
            return fail(err, errlen, errno, "cannot drop capability %d from the bounding set", cap);
        }
    }
    bounding_set_empty = 1;
    return 0;
}

static int identity_and_privileges(const struct spec *s, char *err, size_t errlen) {
    long long t = now_ns();
    /* while CAP_SETPCAP is there: root gains nothing from now on, and no capability can come back */
    if (prctl(PR_SET_SECUREBITS, XS_SECBIT_NOROOT | XS_SECBIT_NOROOT_LOCKED | XS_SECBIT_KEEP_CAPS_LOCKED
              | XS_SECBIT_NO_CAP_AMBIENT_RAISE | XS_SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0
            && errno != EPERM) {
        return fail(err, errlen, errno, "cannot set the secure bits");
    }
    if (!bounding_set_empty && drop_bounding_set(err, errlen) < 0) {
        return -1;
    }
    step("bounding_set", t);
    if (s->uid >= 0) {
        t = now_ns();
        gid_t gid = (gid_t) s->gid;
        if (setgroups(0, NULL) < 0) {
            return fail(err, errlen, errno, "setgroups");
        }
        if (setresgid(gid, gid, gid) < 0) {
            return fail(err, errlen, errno, "setresgid(%u)", (unsigned) gid);
        }
        if (setresuid((uid_t) s->uid, (uid_t) s->uid, (uid_t) s->uid) < 0) {
            return fail(err, errlen, errno, "setresuid(%lld)", s->uid);
        }
        if (setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0) {
            return fail(err, errlen, 0, "the sandbox could switch back to root");
        }
        step("setuid", t);
    }
    t = now_ns();
    if (drop_capabilities(err, errlen) < 0) {
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        return fail(err, errlen, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
    }
    step("capabilities", t);
    t = now_ns();
    if (s->seccomp && install_seccomp(err, errlen) < 0) {
        return -1;
    }
    step("seccomp", t);
    return 0;
}

static int enter_step(const struct spec *s, char *err, size_t errlen) {
    long long t;
    if (s->n_cgroup > 0) {
        t = now_ns();
        if (join_cgroups(s, err, errlen) < 0) {
            return -1;
        }
        step("cgroups", t);
    }
    if (s->namespaces & NS_MOUNT) {
        if (!root_built) {
            return fail(err, errlen, 0, "enter before prepare: the sandbox's root is not built");
        }
        t = now_ns();
        if (s->workdir != NULL && job_directory(s, err, errlen) < 0) {
            return -1;
        }
        if (s->socket != NULL && bind_socket(s, err, errlen) < 0) {
            return -1;
        }
        if (job_read_only(s, err, errlen) < 0) {
            return -1;
        }
        step("job_mounts", t);
        if (!pivoted && switch_root(s, err, errlen) < 0) {
            return -1;
        }
    }
    if (s->workdir != NULL && chdir(s->workdir) < 0) {
        return fail(err, errlen, errno, "chdir %s", s->workdir);
    }
    t = now_ns();
    if (set_rlimits(s, err, errlen) < 0) {
        return -1;
    }
    step("rlimits", t);
    if (identity_and_privileges(s, err, errlen) < 0) {
        return -1;
    }
    if ((s->namespaces & NS_PID) && (getppid() == 1 || getppid() == 0)) {
        /* our parent is the namespace's init, or (split) the waiter outside: should it be killed, so are we */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    }
    t = now_ns();
    close_descriptors(s->keep_fd, s->n_keep, 3);
    step("close_fds", t);
    return 0;
}

int extensa_sandbox_enter(const char *text, char *err, size_t errlen) {
    struct spec s;
    n_steps = 0;
    if (parse_spec(text, &s, err, errlen) < 0) {
        return -1;
    }
    int result = enter_step(&s, err, errlen);
    free_spec(&s);
    return result;
}

/* ---- all at once, and the waiter ------------------------------------------------------------- */

#define PARENT_CHECK_NS 100000000L

/*
 * Should the launchpad that started the job die (SIGKILL leaves it no chance to end its jobs),
 * nobody would ever end the job: the waiter does. The starter is the waiter's parent (the cold
 * path: the launchpad itself), or a pid given by a fork server's spare (the launchpad, the fork
 * server's own parent: a fork server that dies alone leaves its running jobs to the launchpad).
 * PR_SET_PDEATHSIG cannot serve: it follows the parent's thread, and a JVM starts processes from
 * threads that end long before the job.
 */
static int starter_gone(pid_t parent, pid_t starter, int pidfd) {
    if (starter <= 1) {
        return getppid() != parent;
    }
    if (pidfd >= 0) {
        struct pollfd exit_event = {pidfd, POLLIN, 0};
        return poll(&exit_event, 1, 0) > 0;
    }
    return kill(starter, 0) < 0 && errno == ESRCH;
}

/*
 * Waits for child; kills it (the PID namespace's init, and with it the whole job) when the starter
 * is gone. With a split namespace (init > 0) child is the satellite, a sibling of init: once it
 * has ended, init is killed too, which ends whatever else still runs in the namespace.
 */
static int wait_watching(pid_t child, pid_t init, pid_t starter) {
    pid_t parent = getppid();
    int pidfd = -1;
#ifdef SYS_pidfd_open
    if (starter > 1) {
        pidfd = (int) syscall(SYS_pidfd_open, starter, 0);
    }
#endif
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    /* blocked, SIGCHLD stays pending for sigtimedwait even though its default action is to ignore it */
    sigprocmask(SIG_SETMASK, &chld, NULL);
    struct timespec tick = {0, PARENT_CHECK_NS};
    int status;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) {
            break;
        }
        if (done < 0 && errno != EINTR) {
            _exit(125);
        }
        if (starter_gone(parent, starter, pidfd)) {
            kill(child, SIGKILL);
            if (init > 0) {
                kill(init, SIGKILL);
            }
            while (waitpid(child, &status, 0) < 0) {
                if (errno != EINTR) {
                    _exit(125);
                }
            }
            break;
        }
        sigtimedwait(&chld, NULL, &tick);
    }
    if (init > 0) {
        kill(init, SIGKILL);
        while (waitpid(init, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (pidfd >= 0) {
        close(pidfd);
    }
    return status;
}

void extensa_sandbox_wait(pid_t child) {
    extensa_sandbox_wait_watching(child, 0);
}

/* every catchable signal to its default action: handlers copied from the caller must never run here */
static void default_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &action, NULL);
        }
    }
}

static void wait_and_exit(pid_t child, pid_t init, pid_t starter, int child_is_init) __attribute__((noreturn));

/* child_is_init: child is the namespace's init, which reports a satellite's death by signal n as 128 + n */
static void wait_and_exit(pid_t child, pid_t init, pid_t starter, int child_is_init) {
    /* no pipe or socket of the job may stay open here: readers wait for their end */
    close_descriptors(NULL, 0, 0);
    default_signal_handlers();
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    int status = wait_watching(child, init, starter);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    /* the namespace's init reports a satellite killed by signal n as 128 + n: die of it here, where it is not PID 1 */
    if (child_is_init && WIFEXITED(status) && WEXITSTATUS(status) > 128 && WEXITSTATUS(status) <= 128 + 64) {
        sig = WEXITSTATUS(status) - 128;
    }
    if (sig != 0) {
        signal(sig, SIG_DFL);
        kill(getpid(), sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

void extensa_sandbox_wait_watching(pid_t child, pid_t starter) {
    wait_and_exit(child, 0, starter, 1);
}

/*
 * PID 1 of the job's namespace: reaps every orphan, and ends with the satellite (its first child)
 * as 128 + signal or the exit status; its end takes the rest of the namespace with it. The
 * satellite is not PID 1 itself because the kernel shields PID 1 from signals it has no handler
 * for: a script's os.kill(os.getpid(), SIGTERM) would do nothing, and orphans would stay zombies.
 */
static void run_init(pid_t satellite) __attribute__((noreturn));

static volatile sig_atomic_t detach_requested;

static void request_detach(int sig) {
    (void) sig;
    detach_requested = 1;
}

static void run_init(pid_t satellite) {
    close_descriptors(NULL, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* /proc/1/root still leads to the host's root until the detach: nobody may follow it */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (detach_requested) {
            detach_requested = 0;
            umount2(OLD_ROOT, MNT_DETACH);
        }
        if (pid < 0) {
            if (errno == EINTR) {
                continue;
            }
            _exit(125);
        }
        if (pid == satellite) {
            _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : 125);
        }
    }
}

int extensa_sandbox_init(char *err, size_t errlen) {
    if (getpid() != 1) {
        return 0; /* no PID namespace: nothing to reap for */
    }
    long long t = now_ns();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_detach;  /* before the fork: no signal may find init without it */
    sigaction(SIGUSR1, &action, NULL);
    pid_t pid = fork();
    if (pid < 0) {
        return fail(err, errlen, errno, "fork the satellite off the namespace's init");
    }
    if (pid > 0) {
        run_init(pid);
    }
    action.sa_handler = SIG_DFL;
    sigaction(SIGUSR1, &action, NULL);
    step("init", t);
    return 0;
}

/*
 * The split namespace: init shares the waiter's memory instead of copying it (a fork of a large
 * interpreter copies its page tables, milliseconds of CPU, and ending it frees them again), and
 * only the satellite is a copy. Init runs on a stack of its own and does nothing but system
 * calls; it shares the waiter's thread-local errno, so it never reads errno, and the waiter only
 * sleeps in system calls meanwhile. It waits for SIGCHLD (orphans to reap) and SIGUSR1 (the
 * satellite has switched root: detach the host's) with sigwaitinfo.
 */
#define SPLIT_INIT_STACK_BYTES (64 * 1024)

static int split_init(void *unused) {
    (void) unused;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* /proc/1/root still leads to the host's root until the detach: nobody may follow it */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    close_from_to(0, ~0U);
    /* the caller's handlers are copies here and must never run: every signal to its default, under
       which the kernel drops what the namespace sends its init; only the two waited for stay blocked
       (pending, not dropped; neither queues more than once) */
    default_signal_handlers();
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGCHLD);
    sigaddset(&wake, SIGUSR1);
    sigprocmask(SIG_SETMASK, &wake, NULL);
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        if (sigwaitinfo(&wake, NULL) == SIGUSR1) {
            umount2(OLD_ROOT, MNT_DETACH);
        }
    }
    return 0;
}

/* Whether unshare gave this process a new PID namespace for its children (it stays in its own). */
static int pid_namespace_pending(void) {
    char own[64], children[64];
    ssize_t a = readlink("/proc/self/ns/pid", own, sizeof own - 1);
    ssize_t b = readlink("/proc/self/ns/pid_for_children", children, sizeof children - 1);
    if (a < 0 || b < 0) {
        return 1; /* no way to tell (no /proc): the caller asked for one */
    }
    return a != b || memcmp(own, children, (size_t) a) != 0;
}

static int split(pid_t starter, int new_pid_namespace, char *err, size_t errlen) {
    long long t = now_ns();
    void *stack = NULL;
    pid_t init = 0;
    sigset_t all, saved;
    sigfillset(&all);
    /* blocked before the clone: no handler of the caller's may ever run in init */
    sigprocmask(SIG_SETMASK, &all, &saved);
    if (new_pid_namespace) {
        stack = mmap(NULL, SPLIT_INIT_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                     -1, 0);
        if (stack == MAP_FAILED) {
            int e = errno;
            sigprocmask(SIG_SETMASK, &saved, NULL);
            return fail(err, errlen, e, "cannot allocate the stack of the namespace's init");
        }
        init = clone(split_init, (char *) stack + SPLIT_INIT_STACK_BYTES, CLONE_VM | SIGCHLD, NULL);
        if (init < 0) {
            int e = errno;
            sigprocmask(SIG_SETMASK, &saved, NULL);
            munmap(stack, SPLIT_INIT_STACK_BYTES);
            return fail(err, errlen, e, "cannot start the namespace's init");
        }
    }
    /* how the satellite sees its parent, the waiter: outside its PID namespace, pid 0 */
    pid_t waiter = new_pid_namespace ? 0 : getpid();
    pid_t satellite = fork();
    if (satellite < 0) {
        int e = errno;
        if (init > 0) {
            kill(init, SIGKILL);
            while (waitpid(init, NULL, 0) < 0 && errno == EINTR) {
            }
            munmap(stack, SPLIT_INIT_STACK_BYTES);
        }
        sigprocmask(SIG_SETMASK, &saved, NULL);
        return fail(err, errlen, e, "fork into the new PID namespace");
    }
    if (satellite > 0) {
        wait_and_exit(satellite, init, starter, 0);
    }
    /* should the waiter die, so do we (enter sets it again after the identity change, which clears it) */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != waiter) {
        _exit(125); /* the waiter died before the line above */
    }
    if (stack != NULL) {
        munmap(stack, SPLIT_INIT_STACK_BYTES);
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    step("split", t);
    return 0;
}

int extensa_sandbox_split(pid_t starter, char *err, size_t errlen) {
    return split(starter, pid_namespace_pending(), err, errlen);
}

int extensa_sandbox_apply(const char *text, char *err, size_t errlen) {
    struct spec s;
    n_steps = 0;
    if (parse_spec(text, &s, err, errlen) < 0) {
        return -1;
    }
    if (unshare_step(&s, err, errlen) < 0) {
        free_spec(&s);
        return -1;
    }
    if (s.namespaces & NS_PID) {
        /* unshare moved only our future children into the new PID namespace: the first is its init */
        if (split(0, 1, err, errlen) < 0) {
            free_spec(&s);
            return -1;
        }
    }
    int result = 0;
    if (s.namespaces & NS_MOUNT) {
        result = build_root(&s, err, errlen);
    }
    if (result == 0) {
        result = enter_step(&s, err, errlen);
    }
    free_spec(&s);
    return result;
}

/* ---- what works here ------------------------------------------------------------------------- */

/* In a child: can this process create the namespaces in flags (inside a new user namespace)? */
static int try_namespaces(int flags, int in_user_namespace, int mount_proc) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        return 0;
    }
    if (pid == 0) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(flags | (in_user_namespace ? CLONE_NEWUSER : 0)) < 0) {
            _exit(1);
        }
        if (in_user_namespace && map_ids(uid, gid, NULL, 0) < 0) {
            _exit(1);
        }
        if (mount_proc) {
            pid_t init = fork();
            if (init < 0) {
                _exit(1);
            }
            if (init == 0) {
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
                        || mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                    _exit(1);
                }
                _exit(0);
            }
            int status;
            while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
            }
            _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
        }
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return 0;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int extensa_sandbox_probe(char *out, size_t outlen) {
    static const struct {
        const char *name;
        int flags;
    } KINDS[] = {
        {"mount", CLONE_NEWNS}, {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET},
        {"ipc", CLONE_NEWIPC},  {"uts", CLONE_NEWUTS},
    };
    int user = geteuid() != 0;
    size_t used = 0;
    if (outlen == 0) {
        return -1;
    }
    out[0] = '\0';
    if (user) {
        if (!try_namespaces(0, 1, 0)) {
            return 0; /* no user namespace: an unprivileged process can create no other */
        }
        used += (size_t) snprintf(out, outlen, "user");
    }
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (try_namespaces(KINDS[i].flags, user, 0)) {
            int n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "", KINDS[i].name);
            if (n < 0 || (size_t) n >= outlen - used) {
                return -1;
            }
            used += (size_t) n;
        }
    }
    if (try_namespaces(CLONE_NEWNS | CLONE_NEWPID, user, 1)) {
        int n = snprintf(out + used, outlen - used, "%sproc", used ? " " : "");
        if (n < 0 || (size_t) n >= outlen - used) {
            return -1;
        }
    }
    return 0;
}
