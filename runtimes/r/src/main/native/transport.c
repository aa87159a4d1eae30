/*
 * Bytes in and out: the job socket, exact reads into R raw vectors, and frame writes.
 *
 * Reads return what R needs to decide (the bytes, NULL at a clean end of stream, or a reason);
 * they never raise R errors halfway through a read. A frame is written with one gathering
 * write under the writer's lock, so frames from R and from the helper threads never interleave.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXT_IOV_MAX 1024

static SEXP failure(const char *what, int error) {
    char message[512];
    snprintf(message, sizeof message, "%s: %s", what, strerror(error));
    return Rf_mkString(message);
}

/* Connects to a Unix stream socket; the descriptor (an integer) or a message (a string). */
SEXP ext_connect(SEXP path) {
    const char *name = Rf_translateCharUTF8(STRING_ELT(path, 0));
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (strlen(name) >= sizeof address.sun_path) {
        return Rf_mkString("socket path is longer than 107 bytes");
    }
    strcpy(address.sun_path, name);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return failure("socket", errno);
    }
    int result;
    do {
        result = connect(fd, (struct sockaddr *) &address, sizeof address);
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        int error = errno;
        close(fd);
        return failure("connect", error);
    }
    return Rf_ScalarInteger(fd);
}

/* Opens a file for reading or for writing (created or truncated); used by tests and tools. */
SEXP ext_open_file(SEXP path, SEXP write) {
    const char *name = Rf_translateChar(STRING_ELT(path, 0));
    int flags = Rf_asLogical(write) ? O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC : O_RDONLY | O_CLOEXEC;
    int fd = open(name, flags, 0600);
    if (fd < 0) {
        return failure(name, errno);
    }
    return Rf_ScalarInteger(fd);
}

/* How long a closing satellite waits for the engine to close its end. */
#define EXT_CLOSE_LINGER_MS 2000

/*
 * Closes a descriptor. A socket is shut down for writing, then read until the engine closes its
 * end (at most EXT_CLOSE_LINGER_MS): closing with unread bytes would reset the connection, and a
 * satellite that closed right after its last frame (an ERROR answering SESSION_INIT, say) would
 * make the engine's next write (END_OF_INPUT) fail before it read that frame.
 */
SEXP ext_close(SEXP fd_value) {
    int fd = Rf_asInteger(fd_value);
    if (shutdown(fd, SHUT_WR) == 0) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        char ignored[4096];
        for (;;) {
            ssize_t n = read(fd, ignored, sizeof ignored);
            if (n > 0 || (n < 0 && errno == EINTR)) {
                continue;
            }
            if (n == 0 || errno != EAGAIN) {
                break;
            }
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long waited = (long) (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (waited >= EXT_CLOSE_LINGER_MS) {
                break;
            }
            struct pollfd p = {fd, POLLIN, 0};
            poll(&p, 1, (int) (EXT_CLOSE_LINGER_MS - waited));
        }
    }
    close(fd);
    return R_NilValue;
}

SEXP ext_set_recv_timeout(SEXP fd, SEXP seconds) {
    double s = Rf_asReal(seconds);
    struct timeval tv;
    tv.tv_sec = (time_t) s;
    tv.tv_usec = (suseconds_t) ((s - (double) tv.tv_sec) * 1e6);
    setsockopt(Rf_asInteger(fd), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return R_NilValue;
}

/*
 * Reads exactly `count` bytes into a new raw vector. Returns the vector; NULL when the stream
 * ended before the first byte and eof_ok is TRUE; the integer -1 when it ended inside; or a
 * string naming the failure (including a receive timeout).
 */
SEXP ext_read_exact(SEXP fd_value, SEXP count_value, SEXP eof_ok) {
    int fd = Rf_asInteger(fd_value);
    double wanted = Rf_asReal(count_value);
    if (wanted < 0 || wanted > (double) R_XLEN_T_MAX) {
        return Rf_mkString("read size out of range");
    }
    R_xlen_t count = (R_xlen_t) wanted;
    SEXP buffer = ext_alloc_huge(RAWSXP, count, (size_t) count);
    buffer = PROTECT(buffer != NULL ? buffer : Rf_allocVector(RAWSXP, count));
    unsigned char *bytes = RAW(buffer);
    R_xlen_t got = 0;
    while (got < count) {
        size_t chunk = (size_t) (count - got);
        if (chunk > (1u << 30)) {
            chunk = 1u << 30;
        }
        ssize_t n = read(fd, bytes + got, chunk);
        if (n > 0) {
            got += n;
            continue;
        }
        if (n == 0) {
            UNPROTECT(1);
            if (got == 0 && Rf_asLogical(eof_ok)) {
                return R_NilValue;
            }
            return Rf_ScalarInteger(-1);
        }
        if (errno == EINTR) {
            continue;
        }
        int error = errno;
        UNPROTECT(1);
        if (error == EAGAIN || error == EWOULDBLOCK) {
            return Rf_mkString("timed out waiting for the peer");
        }
        return failure("read", error);
    }
    UNPROTECT(1);
    return buffer;
}

/* ---- frames out ---------------------------------------------------------------------------- */

static void put_u32(unsigned char *at, uint32_t value) {
    at[0] = (unsigned char) value;
    at[1] = (unsigned char) (value >> 8);
    at[2] = (unsigned char) (value >> 16);
    at[3] = (unsigned char) (value >> 24);
}

static void writer_finalize(SEXP pointer) {
    ExtWriter *writer = R_ExternalPtrAddr(pointer);
    if (writer != NULL) {
        pthread_mutex_destroy(&writer->lock);
        free(writer);
        R_ClearExternalPtr(pointer);
    }
}

SEXP ext_writer_new(SEXP fd) {
    ExtWriter *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        Rf_error("out of memory");
    }
    writer->fd = Rf_asInteger(fd);
    int type;
    socklen_t size = sizeof type;
    writer->is_socket = getsockopt(writer->fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0;
    writer->max_payload = 1074790400u;
    pthread_mutex_init(&writer->lock, NULL);
    SEXP pointer = PROTECT(R_MakeExternalPtr(writer, Rf_install("extensa_writer"), R_NilValue));
    R_RegisterCFinalizerEx(pointer, writer_finalize, TRUE);
    UNPROTECT(1);
    return pointer;
}

ExtWriter *ext_writer_of(SEXP pointer) {
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrAddr(pointer) == NULL) {
        Rf_error("not an open frame writer");
    }
    return R_ExternalPtrAddr(pointer);
}

SEXP ext_writer_set_max(SEXP pointer, SEXP max_payload) {
    ext_writer_of(pointer)->max_payload = (uint32_t) Rf_asReal(max_payload);
    return R_NilValue;
}

/* Writes every byte of the vectors; sockets with MSG_NOSIGNAL so a gone peer is an error, not SIGPIPE. */
static int write_all(ExtWriter *writer, struct iovec *vectors, int count) {
    while (count > 0) {
        int batch = count < EXT_IOV_MAX ? count : EXT_IOV_MAX;
        ssize_t n;
        if (writer->is_socket) {
            struct msghdr message;
            memset(&message, 0, sizeof message);
            message.msg_iov = vectors;
            message.msg_iovlen = (size_t) batch;
            n = sendmsg(writer->fd, &message, MSG_NOSIGNAL);
        } else {
            n = writev(writer->fd, vectors, batch);
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        size_t left = (size_t) n;
        while (count > 0 && left >= vectors->iov_len) {
            left -= vectors->iov_len;
            vectors++;
            count--;
        }
        if (count > 0) {
            vectors->iov_base = (char *) vectors->iov_base + left;
            vectors->iov_len -= left;
        }
        while (count > 0 && vectors->iov_len == 0) {
            vectors++;
            count--;
        }
    }
    return 0;
}

static int write_locked(ExtWriter *writer, int type, const struct iovec *parts, int count, size_t length) {
    unsigned char header[EXT_HEADER_SIZE];
    put_u32(header, EXT_MAGIC);
    header[4] = EXT_VERSION;
    header[5] = (unsigned char) type;
    header[6] = 0;
    header[7] = 0;
    put_u32(header + 8, (uint32_t) length);
    put_u32(header + 12, writer->sequence);
    struct iovec *vectors = malloc(sizeof *vectors * (size_t) (count + 1));
    if (vectors == NULL) {
        return ENOMEM;
    }
    vectors[0].iov_base = header;
    vectors[0].iov_len = EXT_HEADER_SIZE;
    if (count > 0) {
        memcpy(vectors + 1, parts, sizeof *vectors * (size_t) count);
    }
    int error = write_all(writer, vectors, count + 1);
    free(vectors);
    if (error == 0) {
        writer->sequence++;
    }
    return error;
}

/* One frame: the header with the writer's next sequence number, then the parts. 0 or an errno. */
int ext_write_frame(ExtWriter *writer, int type, const struct iovec *parts, int count, size_t length) {
    pthread_mutex_lock(&writer->lock);
    int error = write_locked(writer, type, parts, count, length);
    pthread_mutex_unlock(&writer->lock);
    return error;
}

/* As ext_write_frame, but gives up (ETIMEDOUT) when another frame holds the writer that long. */
int ext_write_frame_timed(ExtWriter *writer, int type, const struct iovec *parts, int count, size_t length,
                          int timeout_ms) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    if (pthread_mutex_timedlock(&writer->lock, &deadline) != 0) {
        return ETIMEDOUT;
    }
    int error = write_locked(writer, type, parts, count, length);
    pthread_mutex_unlock(&writer->lock);
    return error;
}

/* R: writes one frame whose payload is the concatenation of `parts` (a list of raw vectors). */
SEXP ext_write(SEXP pointer, SEXP type, SEXP parts) {
    ExtWriter *writer = ext_writer_of(pointer);
    int count = Rf_length(parts);
    struct iovec *vectors = (struct iovec *) R_alloc((size_t) (count > 0 ? count : 1), sizeof *vectors);
    size_t length = 0;
    for (int i = 0; i < count; i++) {
        SEXP part = VECTOR_ELT(parts, i);
        if (TYPEOF(part) != RAWSXP) {
            Rf_error("frame parts must be raw vectors");
        }
        vectors[i].iov_base = RAW(part);
        vectors[i].iov_len = (size_t) XLENGTH(part);
        length += (size_t) XLENGTH(part);
    }
    if (length % 8 != 0) {
        Rf_error("frame payload of %.0f bytes is not a multiple of 8", (double) length);
    }
    if (length > writer->max_payload) {
        Rf_error("frame payload of %.0f bytes exceeds the peer's maximum of %u", (double) length,
                 writer->max_payload);
    }
    int error = ext_write_frame(writer, Rf_asInteger(type), vectors, count, length);
    if (error != 0) {
        return failure("write", error);
    }
    return R_NilValue;
}
