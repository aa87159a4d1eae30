/*
 * Streams what the script writes to stdout and stderr as STDOUT/STDERR frames, line by line, while
 * it runs. Descriptors 1 and 2 become pipes drained by one thread, so everything is caught: R's
 * print/cat/message/warning, C code in packages, and subprocesses started with system(). A line is
 * sent as soon as its newline arrives; a line longer than 64 KiB goes in chunks cut at character
 * boundaries; bytes that are not UTF-8 become U+FFFD.
 *
 * sync() returns once everything written before it has been sent, partial last lines included,
 * so the unit's OUTPUT_SCHEMA (or the ERROR ending the job) follows all of the script's output.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SYNC_TIMEOUT_S 10

typedef struct {
    int fd;           /* read end of the pipe, non-blocking; -1 once it reached end of file */
    int type;         /* STDOUT or STDERR */
    unsigned char *pending;
    size_t length;
    size_t capacity;
} Stream;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t synced;
    int started;
    ExtWriter *writer;
    Stream streams[2];
    int control[2];     /* self-pipe: a byte asks the thread to drain and flush */
    unsigned long requested;
    unsigned long done;
} C = {.lock = PTHREAD_MUTEX_INITIALIZER, .synced = PTHREAD_COND_INITIALIZER};

/*
 * Copies `in` to `out` replacing each byte that does not start a valid UTF-8 sequence with U+FFFD
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). `out` must hold 3n bytes.
 */
size_t ext_utf8_sanitize(const unsigned char *in, size_t n, unsigned char *out) {
    size_t i = 0;
    size_t o = 0;
    while (i < n) {
        unsigned char b = in[i];
        size_t need = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (b < 0x80) {
            out[o++] = b;
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) {
                low = 0xA0;
            } else if (b == 0xED) {
                high = 0x9F;
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) {
                low = 0x90;
            } else if (b == 0xF4) {
                high = 0x8F;
            }
        }
        int valid = need > 0 && i + need < n;
        if (valid) {
            if (in[i + 1] < low || in[i + 1] > high) {
                valid = 0;
            }
            for (size_t k = 2; valid && k <= need; k++) {
                if ((in[i + k] & 0xC0) != 0x80) {
                    valid = 0;
                }
            }
        }
        if (valid) {
            memcpy(out + o, in + i, need + 1);
            o += need + 1;
            i += need + 1;
        } else {
            out[o++] = 0xEF;
            out[o++] = 0xBF;
            out[o++] = 0xBD;
            i++;
        }
    }
    return o;
}

/* Sends one chunk of a line as a frame: a TEXT field with tag 1. */
static void send_text(int type, const unsigned char *bytes, size_t n) {
    unsigned char *text = malloc(3 * n + 16);
    if (text == NULL) {
        return;
    }
    unsigned char *value = text + 8;
    size_t length = ext_utf8_sanitize(bytes, n, value);
    size_t padded = (length + 7) & ~(size_t) 7;
    memset(value + length, 0, padded - length);
    text[0] = 1;              /* tag 1 (u16) */
    text[1] = 0;
    text[2] = 4;              /* kind TEXT */
    text[3] = 0;              /* not critical */
    text[4] = (unsigned char) length;
    text[5] = (unsigned char) (length >> 8);
    text[6] = (unsigned char) (length >> 16);
    text[7] = (unsigned char) (length >> 24);
    struct iovec part = {text, 8 + padded};
    /* an engine that is gone is noticed by the session on its own socket */
    ext_write_frame(C.writer, type, &part, 1, 8 + padded);
    free(text);
}

/* The last character boundary at or before `limit` (a cut never splits a UTF-8 sequence). */
static size_t boundary(const unsigned char *bytes, size_t limit) {
    size_t cut = limit;
    while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
        cut--;
    }
    return cut > 0 ? cut : limit;
}

/* Sends a line (its \n gone, a trailing \r dropped) in chunks of at most CHUNK bytes, however it arrived. */
static void send_line(int type, const unsigned char *bytes, size_t n) {
    if (n > 0 && bytes[n - 1] == '\r') {
        n--;
    }
    while (n > CHUNK) {
        size_t cut = boundary(bytes, CHUNK);
        send_text(type, bytes, cut);
        bytes += cut;
        n -= cut;
    }
    send_text(type, bytes, n);
}

static void drop_front(Stream *s, size_t n) {
    memmove(s->pending, s->pending + n, s->length - n);
    s->length -= n;
}

static void feed(Stream *s, const unsigned char *bytes, size_t n) {
    if (s->length + n > s->capacity) {
        size_t capacity = s->capacity ? s->capacity : 4096;
        while (capacity < s->length + n) {
            capacity *= 2;
        }
        unsigned char *grown = realloc(s->pending, capacity);
        if (grown == NULL) {
            return;
        }
        s->pending = grown;
        s->capacity = capacity;
    }
    size_t scanned = s->length;
    memcpy(s->pending + s->length, bytes, n);
    s->length += n;
    for (;;) {
        unsigned char *newline = memchr(s->pending + scanned, '\n', s->length - scanned);
        if (newline == NULL) {
            break;
        }
        size_t line = (size_t) (newline - s->pending);
        send_line(s->type, s->pending, line);
        drop_front(s, line + 1);
        scanned = 0;
    }
    while (s->length > CHUNK) {
        size_t cut = boundary(s->pending, CHUNK);
        send_text(s->type, s->pending, cut);
        drop_front(s, cut);
    }
}

static void flush_partial(Stream *s) {
    if (s->length > 0) {
        send_line(s->type, s->pending, s->length);
        s->length = 0;
    }
}

/* Reads what the pipe holds now; returns without blocking. */
static void drain(Stream *s) {
    unsigned char buffer[65536];
    while (s->fd >= 0) {
        ssize_t n = read(s->fd, buffer, sizeof buffer);
        if (n > 0) {
            feed(s, buffer, (size_t) n);
        } else if (n == 0) {
            close(s->fd);
            s->fd = -1;
        } else if (errno != EINTR) {
            return;
        }
    }
}

static void *capture_loop(void *unused) {
    (void) unused;
    for (;;) {
        struct pollfd p[3] = {
            {C.streams[0].fd, POLLIN, 0}, {C.streams[1].fd, POLLIN, 0}, {C.control[0], POLLIN, 0},
        };
        if (poll(p, 3, -1) < 0) {
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                drain(&C.streams[i]);
            }
        }
        if (p[2].revents & POLLIN) {
            unsigned char ignored[64];
            while (read(C.control[0], ignored, sizeof ignored) > 0) {
            }
            pthread_mutex_lock(&C.lock);
            unsigned long requested = C.requested;
            pthread_mutex_unlock(&C.lock);
            for (int i = 0; i < 2; i++) {
                drain(&C.streams[i]);
                flush_partial(&C.streams[i]);
            }
            pthread_mutex_lock(&C.lock);
            C.done = requested;
            pthread_cond_broadcast(&C.synced);
            pthread_mutex_unlock(&C.lock);
        }
    }
    return NULL;
}

static int redirect(int target, Stream *s, int type) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) {
        return errno;
    }
    if (dup2(ends[1], target) < 0) {
        int error = errno;
        close(ends[0]);
        close(ends[1]);
        return error;
    }
    close(ends[1]);
    fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK);
    s->fd = ends[0];
    s->type = type;
    return 0;
}

/*
 * Points fds 1 and 2 at pipes and starts the thread that turns them into frames. Returns a
 * duplicate of the original stderr, for diagnostics that must not reach the engine.
 */
SEXP ext_capture_start(SEXP writer) {
    if (C.started) {
        Rf_error("output capture runs already");
    }
    C.writer = ext_writer_of(writer);
    fflush(stdout);
    fflush(stderr);
    int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
    int error = redirect(1, &C.streams[0], EXT_STDOUT);
    if (error == 0) {
        error = redirect(2, &C.streams[1], EXT_STDERR);
    }
    if (error == 0 && pipe2(C.control, O_CLOEXEC | O_NONBLOCK) != 0) {
        error = errno;
    }
    if (error == 0) {
        sigset_t all, previous;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &previous);
        pthread_t thread;
        error = pthread_create(&thread, NULL, capture_loop, NULL);
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        if (error == 0) {
            pthread_detach(thread);
        }
    }
    if (error != 0) {
        Rf_error("cannot capture the script's output: %s", strerror(error));
    }
    C.started = 1;
    return Rf_ScalarInteger(saved);
}

/* Returns once everything written to fds 1 and 2 so far has been sent as frames. */
SEXP ext_capture_sync(void) {
    if (!C.started) {
        return R_NilValue;
    }
    fflush(stdout);
    fflush(stderr);
    pthread_mutex_lock(&C.lock);
    unsigned long ticket = ++C.requested;
    pthread_mutex_unlock(&C.lock);
    unsigned char wake = 1;
    while (write(C.control[1], &wake, 1) < 0 && errno == EINTR) {
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += SYNC_TIMEOUT_S;
    pthread_mutex_lock(&C.lock);
    while (C.done < ticket) {
        if (pthread_cond_timedwait(&C.synced, &C.lock, &deadline) != 0) {
            break;
        }
    }
    pthread_mutex_unlock(&C.lock);
    return R_NilValue;
}
