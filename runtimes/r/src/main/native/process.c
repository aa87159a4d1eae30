/*
 * Process work for the fork server and its children (docs/launchpad.md, "Fork-server contract"):
 * moving the frame channel off fds 0/1, waiting for a FORK or a child's exit, reaping, forking
 * spare children and handing them their job, and turning a spare into a clean (and sandboxed)
 * job process before any job code runs.
 *
 * The fork server is single-threaded (the helper threads start only inside a child's session),
 * so fork() is safe. SIGCHLD wakes the wait through a self-pipe.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Rembedded.h>

static int child_wake[2] = {-1, -1};

static void on_child(int signal_number) {
    (void) signal_number;
    int saved = errno;
    ssize_t ignored = write(child_wake[1], "c", 1);
    (void) ignored;
    errno = saved;
}

/*
 * Whether the launchpad has closed the fork server's stdin (it exited or was killed): lets the
 * fork server give up during its seconds of start-up work instead of after them.
 */
SEXP ext_input_closed(void) {
    struct pollfd p = {0, POLLIN, 0};
    int ready = poll(&p, 1, 0);
    return Rf_ScalarLogical(ready > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0);
}

/*
 * The fork server's channel: frames arrive on the original stdin and leave on the original
 * stdout, so both move to new descriptors; fd 0 becomes /dev/null and fd 1 the stderr, where
 * stray output cannot corrupt the channel. Returns c(channel_in, channel_out).
 */
SEXP ext_forkserver_channel(void) {
    fflush(stdout);
    int in = fcntl(0, F_DUPFD_CLOEXEC, 3);
    int out = fcntl(1, F_DUPFD_CLOEXEC, 3);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0 || out < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(2, 1) < 0) {
        Rf_error("cannot set up the fork-server channel: %s", strerror(errno));
    }
    close(devnull);
    if (pipe2(child_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        Rf_error("cannot create the child wake-up pipe: %s", strerror(errno));
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_child;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&action.sa_mask);
    sigaction(SIGCHLD, &action, NULL);
    SEXP result = PROTECT(Rf_allocVector(INTSXP, 2));
    INTEGER(result)[0] = in;
    INTEGER(result)[1] = out;
    UNPROTECT(1);
    return result;
}

/*
 * Blocks until a frame can be read on fd or a child ended, or timeout_ms passed (negative: no
 * limit): c(input = TRUE/FALSE, child = TRUE/FALSE), both FALSE after the timeout.
 */
SEXP ext_forkserver_wait(SEXP fd, SEXP timeout_ms) {
    struct pollfd p[2] = {{Rf_asInteger(fd), POLLIN, 0}, {child_wake[0], POLLIN, 0}};
    int ready;
    while ((ready = poll(p, 2, Rf_asInteger(timeout_ms))) < 0) {
        if (errno != EINTR) {
            Rf_error("poll: %s", strerror(errno));
        }
    }
    if (ready > 0 && (p[1].revents & POLLIN)) {
        char ignored[64];
        while (read(child_wake[0], ignored, sizeof ignored) > 0) {
        }
    }
    SEXP result = PROTECT(Rf_allocVector(LGLSXP, 2));
    LOGICAL(result)[0] = ready > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    LOGICAL(result)[1] = ready > 0 && (p[1].revents & POLLIN) != 0;
    UNPROTECT(1);
    return result;
}

/* Reaps every child that ended: list(pid, exit_code (-1 if signalled), signal (0 if exited)). */
SEXP ext_reap(void) {
    int capacity = 16;
    int count = 0;
    int *rows = (int *) R_alloc((size_t) capacity * 3, sizeof(int));
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) {
            break;
        }
        if (count == capacity) {
            int *grown = (int *) R_alloc((size_t) capacity * 6, sizeof(int));
            memcpy(grown, rows, sizeof(int) * (size_t) capacity * 3);
            rows = grown;
            capacity *= 2;
        }
        rows[count * 3] = (int) pid;
        rows[count * 3 + 1] = WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
        rows[count * 3 + 2] = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        count++;
    }
    SEXP result = PROTECT(Rf_allocVector(VECSXP, 3));
    for (int column = 0; column < 3; column++) {
        SEXP values = Rf_allocVector(INTSXP, count);
        SET_VECTOR_ELT(result, column, values);
        for (int i = 0; i < count; i++) {
            INTEGER(values)[i] = rows[i * 3 + column];
        }
    }
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 3));
    SET_STRING_ELT(names, 0, Rf_mkChar("pid"));
    SET_STRING_ELT(names, 1, Rf_mkChar("exit_code"));
    SET_STRING_ELT(names, 2, Rf_mkChar("signal"));
    Rf_setAttrib(result, R_NamesSymbol, names);
    UNPROTECT(2);
    return result;
}

static void close_from(int first) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned) first, ~0u, 0) == 0) {
        return;
    }
#endif
    long last = sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd < (last > 0 ? last : 65536); fd++) {
        close((int) fd);
    }
}

/* Closes every descriptor from `first` on except `keep`. */
static void close_all_but(int first, int keep) {
    if (keep < first) {
        close_from(first);
        return;
    }
    for (int fd = first; fd < keep; fd++) {
        close(fd);
    }
    close_from(keep + 1);
}

/*
 * Forks a spare child with a pipe to hand it its job later. In the fork server: c(pid, the
 * pipe's write end). In the spare: c(0, the pipe's read end), after it closed every other
 * inherited descriptor (the channel, the wake-up pipe, other spares' pipes: a spare must see the
 * end of its own pipe when the fork server goes), restored SIGCHLD and started its own session.
 * A string naming the failure when there is no spare.
 */
SEXP ext_spare_fork(void) {
    int job[2];
    if (pipe2(job, O_CLOEXEC) != 0) {
        char message[256];
        snprintf(message, sizeof message, "pipe: %s", strerror(errno));
        return Rf_mkString(message);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        char message[256];
        snprintf(message, sizeof message, "fork: %s", strerror(errno));
        close(job[0]);
        close(job[1]);
        return Rf_mkString(message);
    }
    SEXP result = PROTECT(Rf_allocVector(INTSXP, 2));
    if (pid > 0) {
        close(job[0]);
        INTEGER(result)[0] = (int) pid;
        INTEGER(result)[1] = job[1];
        UNPROTECT(1);
        return result;
    }
    signal(SIGCHLD, SIG_DFL);
    child_wake[0] = child_wake[1] = -1;
    close_all_but(3, job[0]);
    setsid();
    INTEGER(result)[0] = 0;
    INTEGER(result)[1] = job[0];
    UNPROTECT(1);
    return result;
}

/* Reads fd to its end: the bytes (a raw vector), or a string naming the failure. */
SEXP ext_read_all(SEXP fd_value) {
    int fd = Rf_asInteger(fd_value);
    size_t capacity = 65536;
    size_t length = 0;
    unsigned char *bytes = (unsigned char *) R_alloc(capacity, 1);
    for (;;) {
        if (length == capacity) {
            unsigned char *grown = (unsigned char *) R_alloc(capacity * 2, 1);
            memcpy(grown, bytes, length);
            bytes = grown;
            capacity *= 2;
        }
        ssize_t n = read(fd, bytes + length, capacity - length);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            char message[256];
            snprintf(message, sizeof message, "read: %s", strerror(errno));
            return Rf_mkString(message);
        }
        length += (size_t) n;
    }
    SEXP result = Rf_allocVector(RAWSXP, (R_xlen_t) length);
    memcpy(RAW(result), bytes, length);
    return result;
}

/*
 * Writes all of a raw vector to a pipe and closes it: TRUE, or FALSE when the reader is gone
 * (EPIPE, with SIGPIPE ignored meanwhile so that R's handler does not see it).
 */
SEXP ext_write_all_close(SEXP fd_value, SEXP data) {
    int fd = Rf_asInteger(fd_value);
    const unsigned char *bytes = RAW(data);
    size_t length = (size_t) XLENGTH(data);
    struct sigaction ignore, previous;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &previous);
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, bytes + done, length - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            break;
        }
        done += (size_t) n;
    }
    sigaction(SIGPIPE, &previous, NULL);
    close(fd);
    return Rf_ScalarLogical(done == length);
}

/* A pipe: c(read end, write end), both close-on-exec; or a string naming the failure. */
SEXP ext_pipe(void) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        char message[256];
        snprintf(message, sizeof message, "pipe: %s", strerror(errno));
        return Rf_mkString(message);
    }
    SEXP result = PROTECT(Rf_allocVector(INTSXP, 2));
    INTEGER(result)[0] = fds[0];
    INTEGER(result)[1] = fds[1];
    UNPROTECT(1);
    return result;
}

/* Closes a descriptor that is not a socket (a spare's pipe). */
SEXP ext_close_fd(SEXP fd_value) {
    close(Rf_asInteger(fd_value));
    return R_NilValue;
}

static SEXP step_failed(const char *step, const char *detail, int error) {
    char message[1024];
    snprintf(message, sizeof message, "%s%s%s: %s", step, detail ? " " : "", detail ? detail : "", strerror(error));
    return Rf_mkString(message);
}

/*
 * Turns a spare child (its own session already) into the job's process, in this order: signal
 * dispositions and mask as for a new process, fd 0 on /dev/null and fds 1 and 2 on the job's
 * output file (or the fork server's stderr), then the sandbox's job part when sandbox_spec is not
 * empty (it closes every descriptor above 2 itself) or every other inherited descriptor closed,
 * then the job directory, the job's complete environment, and R's per-session temporary
 * directory under the job's TMPDIR (the fork server's must not be shared). Nothing of the job
 * runs before the sandbox is entered. Returns NULL, or a message naming the step that failed.
 */
SEXP ext_become_job(SEXP work_dir, SEXP names, SEXP values, SEXP output_path, SEXP sandbox_spec) {
    int reset[] = {SIGCHLD, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) {
        signal(reset[i], SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0) {
        return step_failed("open", "/dev/null", errno);
    }
    if (devnull != 0) {
        close(devnull);
    }
    const char *output = Rf_length(output_path) > 0 ? Rf_translateChar(STRING_ELT(output_path, 0)) : "";
    if (output[0] != '\0') {
        int fd = open(output, O_WRONLY | O_APPEND | O_NOFOLLOW);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
            return step_failed("open", output, errno);
        }
        if (fd > 2) {
            close(fd);
        }
    }
    const char *spec = Rf_length(sandbox_spec) > 0 ? Rf_translateChar(STRING_ELT(sandbox_spec, 0)) : "";
    if (spec[0] != '\0') {
        SEXP failure = ext_sandbox_enter(sandbox_spec);
        if (failure != R_NilValue) {
            return failure;
        }
    } else {
        close_from(3);
    }

    const char *directory = Rf_translateChar(STRING_ELT(work_dir, 0));
    if (chdir(directory) != 0) {
        return step_failed("chdir", directory, errno);
    }
    if (clearenv() != 0) {
        return step_failed("clearenv", NULL, errno);
    }
    for (int i = 0; i < Rf_length(names); i++) {
        if (setenv(Rf_translateChar(STRING_ELT(names, i)), Rf_translateChar(STRING_ELT(values, i)), 1) != 0) {
            return step_failed("setenv", Rf_translateChar(STRING_ELT(names, i)), errno);
        }
    }
    const char *tmp = getenv("TMPDIR");
    char *temporary = malloc(strlen(tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp") + 16);
    if (temporary == NULL) {
        return step_failed("malloc", NULL, ENOMEM);
    }
    sprintf(temporary, "%s/RtmpXXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(temporary) == NULL) {
        return step_failed("mkdtemp", temporary, errno);
    }
    R_TempDir = temporary;
    setenv("R_SESSION_TMPDIR", temporary, 1);
    return R_NilValue;
}

/* Leaves at once with `code`, after flushing C streams: no R clean-up (a fork child shares it). */
SEXP ext_exit(SEXP code) {
    fflush(NULL);
    _exit(Rf_asInteger(code));
    return R_NilValue;
}

/* A diagnostic line on fd (the launchpad's log or output tail), bypassing R's console. */
SEXP ext_write_line(SEXP fd, SEXP text) {
    const char *line = Rf_translateCharUTF8(STRING_ELT(text, 0));
    size_t n = strlen(line);
    struct iovec parts[2] = {{(void *) line, n}, {"\n", 1}};
    ssize_t ignored = writev(Rf_asInteger(fd), parts, 2);
    (void) ignored;
    return R_NilValue;
}

/*
 * Gives the C heap's free memory back to the system (malloc_trim), in the fork server once it is
 * warm: R keeps the node pages a start-up collection freed, and every spare would otherwise
 * inherit them, so each fork copied, and each of a job's processes tore down, a third more
 * page-table entries than the heap in use needs.
 */
SEXP ext_trim_heap(void) {
    malloc_trim(0);
    return R_NilValue;
}
