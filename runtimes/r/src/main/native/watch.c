/*
 * Watches the job socket while R is busy with a unit (running the script, then sending its
 * output) and R itself reads nothing. R is single-threaded, so this thread is how a CANCEL, an
 * END, an engine ERROR or a lost connection reaches a running script: it peeks at the queued
 * frames (never consuming them; R reads them afterwards in order) and interrupts the main thread
 * with SIGINT, which R turns into an "interrupt" condition. If the script does not stop, it is
 * interrupted again every second, and after 5 seconds the process reports and exits on its own
 * (docs/protocol.md section 8).
 *
 * Frames queued behind input the satellite has not read (the next unit's batches) are not looked
 * at: the protocol lets such a CANCEL wait until that input is consumed.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* R's flag behind R_CheckUserInterrupt (declared in R_ext/GraphicsDevice.h) */
extern int R_interrupts_pending;

/* why the running unit must stop; PEEK_BLIND: input is queued first */
enum { PEEK_BLIND = -1, REASON_NONE = 0, REASON_CANCEL = 1, REASON_END = 2, REASON_LOST = 3 };

#define PEEK_BYTES 65536
#define INTERRUPT_EVERY_MS 1000
#define GIVE_UP_AFTER_MS 5000
#define IDLE_POLL_MS 200

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int started;
    int fd;
    ExtWriter *writer;
    unsigned char *cancel_error; /* the payload of ERROR kind "cancelled", encoded by R */
    size_t cancel_error_length;
    pthread_t main_thread;
    pthread_t thread;
    int active;      /* R is in a unit and reads nothing */
    int in_script;   /* the script itself runs: interrupt it */
    int reason;
    int blind;       /* the next queued frame is input: nothing behind it is looked at */
    int interrupts;
    long long first_interrupt_ms;
    long long last_interrupt_ms;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint32_t get_u32(const unsigned char *at) {
    return (uint32_t) at[0] | (uint32_t) at[1] << 8 | (uint32_t) at[2] << 16 | (uint32_t) at[3] << 24;
}

/*
 * Looks at the queued frames without consuming them: a reason, REASON_NONE when nothing decisive
 * is there yet (or only heartbeats), PEEK_BLIND when input comes first. *seen remembers how many
 * bytes the last peek saw, so an undecided peek over unchanged bytes does not spin.
 */
static int peek_reason(unsigned char *buffer, ssize_t *seen) {
    ssize_t n = recv(W.fd, buffer, PEEK_BYTES, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) {
        return REASON_LOST;
    }
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? REASON_NONE : REASON_LOST;
    }
    ssize_t at = 0;
    while (n - at >= EXT_HEADER_SIZE) {
        int type = buffer[at + 5];
        if (type == EXT_CANCEL) {
            return REASON_CANCEL;
        }
        if (type == EXT_END) {
            return REASON_END;
        }
        if (type == EXT_ERROR) {
            return REASON_END;
        }
        if (type != EXT_HEARTBEAT) {
            return PEEK_BLIND;
        }
        at += EXT_HEADER_SIZE + (ssize_t) get_u32(buffer + at + 8);
    }
    if (n == *seen) {
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
    *seen = n;
    return REASON_NONE;
}

static void interrupt_script(void) {
    pthread_kill(W.main_thread, SIGINT);
    W.interrupts++;
    W.last_interrupt_ms = now_ms();
    if (W.interrupts == 1) {
        W.first_interrupt_ms = W.last_interrupt_ms;
    }
}

/* The script ignored every interrupt: tell the engine (for a CANCEL) and leave. */
static void give_up(void) {
    if (W.reason == REASON_CANCEL && W.cancel_error != NULL) {
        struct iovec part = {W.cancel_error, W.cancel_error_length};
        ext_write_frame_timed(W.writer, EXT_ERROR, &part, 1, W.cancel_error_length, 1000);
        _exit(EXT_EXIT_CANCELLED);
    }
    _exit(EXT_EXIT_CONNECTION_LOST);
}

static void *watch_loop(void *unused) {
    (void) unused;
    unsigned char *buffer = malloc(PEEK_BYTES);
    ssize_t seen = -1;
    pthread_mutex_lock(&W.lock);
    for (;;) {
        if (!W.active) {
            seen = -1;
            pthread_cond_wait(&W.changed, &W.lock);
            continue;
        }
        if (W.reason == REASON_NONE && !W.blind) {
            pthread_mutex_unlock(&W.lock);
            struct pollfd p = {W.fd, POLLIN | POLLRDHUP, 0};
            int ready = poll(&p, 1, IDLE_POLL_MS);
            int reason = ready > 0 && buffer != NULL ? peek_reason(buffer, &seen) : REASON_NONE;
            pthread_mutex_lock(&W.lock);
            if (reason == PEEK_BLIND) {
                W.blind = W.active;
            } else if (reason != REASON_NONE && W.active && W.reason == REASON_NONE) {
                W.reason = reason;
                if (W.in_script) {
                    interrupt_script();
                }
            }
            continue;
        }
        if (W.reason != REASON_NONE && W.in_script) {
            long long now = now_ms();
            if (W.interrupts > 0 && now - W.first_interrupt_ms >= GIVE_UP_AFTER_MS) {
                give_up();
            }
            if (W.interrupts == 0 || now - W.last_interrupt_ms >= INTERRUPT_EVERY_MS) {
                interrupt_script();
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += IDLE_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&W.changed, &W.lock, &until);
    }
    return NULL;
}

/* Starts the watcher for this process's session (once); cancel_error is ERROR's encoded payload. */
SEXP ext_watch_start(SEXP fd, SEXP writer, SEXP cancel_error) {
    pthread_mutex_lock(&W.lock);
    if (W.started) {
        pthread_mutex_unlock(&W.lock);
        Rf_error("the socket watcher runs already");
    }
    W.fd = Rf_asInteger(fd);
    W.writer = ext_writer_of(writer);
    W.cancel_error_length = (size_t) XLENGTH(cancel_error);
    W.cancel_error = malloc(W.cancel_error_length);
    if (W.cancel_error != NULL) {
        memcpy(W.cancel_error, RAW(cancel_error), W.cancel_error_length);
    }
    W.main_thread = pthread_self();
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);  /* signals stay with R's main thread */
    int error = pthread_create(&W.thread, NULL, watch_loop, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (error == 0) {
        pthread_detach(W.thread);
        W.started = 1;
    }
    pthread_mutex_unlock(&W.lock);
    if (error != 0) {
        Rf_error("cannot start the socket watcher: %s", strerror(error));
    }
    return R_NilValue;
}

/* A unit begins: watch the socket; with in_script, interrupt the script on a stop request. */
SEXP ext_watch_begin(SEXP in_script) {
    pthread_mutex_lock(&W.lock);
    W.active = 1;
    W.in_script = Rf_asLogical(in_script) == TRUE;
    W.reason = REASON_NONE;
    W.blind = 0;
    W.interrupts = 0;
    pthread_cond_broadcast(&W.changed);
    pthread_mutex_unlock(&W.lock);
    return R_NilValue;
}

/*
 * The script returned (or was interrupted): no more interrupts from here on, and none left over.
 * An interrupt sent just before may still be pending for this thread, so SIGINT is blocked, any
 * pending one taken, and R's own pending flag cleared. Returns the reason seen so far.
 */
SEXP ext_script_done(void) {
    pthread_mutex_lock(&W.lock);
    W.in_script = 0;
    int reason = W.reason;
    pthread_mutex_unlock(&W.lock);
    sigset_t interrupt, previous;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    pthread_sigmask(SIG_BLOCK, &interrupt, &previous);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&interrupt, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    R_interrupts_pending = 0;
    return Rf_ScalarInteger(reason);
}

/* The unit's output is sent: R reads the socket itself again. Returns the reason seen. */
SEXP ext_watch_end(void) {
    pthread_mutex_lock(&W.lock);
    W.active = 0;
    W.in_script = 0;
    int reason = W.reason;
    pthread_mutex_unlock(&W.lock);
    return Rf_ScalarInteger(reason);
}

SEXP ext_watch_reason(void) {
    pthread_mutex_lock(&W.lock);
    int reason = W.reason;
    pthread_mutex_unlock(&W.lock);
    return Rf_ScalarInteger(reason);
}
