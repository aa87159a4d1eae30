/*
 * extensa-sandbox: the cold path's wrapper. Becomes a session leader, applies the sandbox spec
 * to itself (see extensa_sandbox.h) and execs the satellite; with a PID namespace the process the
 * launchpad started stays outside as the waiter and ends with the satellite's status.
 *
 *   extensa-sandbox [--timings] SPEC -- PROGRAM [ARGUMENT...]
 *   extensa-sandbox --check SPEC        apply, then exit 0: proves a spec works here
 *   extensa-sandbox --probe             the namespaces this process may create
 *   extensa-sandbox --bench N SPEC      apply N times in fresh processes, print the cost per step
 *   extensa-sandbox --version
 *
 * SPEC is the spec text itself (lines of key=value) or @FILE. Exit status: 126 when the sandbox
 * cannot be applied, 127 when PROGRAM cannot be executed, 2 for a bad command line.
 */
#define _GNU_SOURCE
#include "extensa_sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_SANDBOX 126
#define EXIT_EXEC 127

static void usage(void) {
    fputs("usage: extensa-sandbox [--timings] SPEC -- PROGRAM [ARGUMENT...]\n"
          "       extensa-sandbox --check SPEC | --probe | --bench N SPEC | --version\n"
          "SPEC: key=value lines (see docs/security.md) or @FILE\n", stderr);
}

static char *read_spec(const char *argument) {
    if (argument[0] != '@') {
        return strdup(argument);
    }
    FILE *file = fopen(argument + 1, "r");
    if (file == NULL) {
        fprintf(stderr, "extensa-sandbox: cannot read %s: %s\n", argument + 1, strerror(errno));
        return NULL;
    }
    size_t capacity = 4096, length = 0;
    char *text = malloc(capacity);
    size_t n;
    while (text != NULL && (n = fread(text + length, 1, capacity - length - 1, file)) > 0) {
        length += n;
        if (length + 1 == capacity) {
            char *bigger = realloc(text, capacity *= 2);
            if (bigger == NULL) {
                free(text);
                text = NULL;
            }
            text = bigger;
        }
    }
    fclose(file);
    if (text != NULL) {
        text[length] = '\0';
    }
    return text;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

static long long percentile(long long *values, int n, int p) {
    qsort(values, (size_t) n, sizeof *values, compare);
    int index = (int) ((long long) (n - 1) * p / 100);
    return values[index];
}

#define BENCH_MAX_STEPS 32

/* N times: fork, apply in the child, report the steps through a pipe; the parent also times the whole. */
static int bench(int rounds, const char *spec) {
    char names[BENCH_MAX_STEPS][32];
    int n_names = 0;
    long long *values[BENCH_MAX_STEPS + 2];
    for (int i = 0; i < BENCH_MAX_STEPS + 2; i++) {
        values[i] = calloc((size_t) rounds, sizeof(long long));
    }
    long long *apply_total = values[BENCH_MAX_STEPS];
    long long *round_trip = values[BENCH_MAX_STEPS + 1];
    for (int round = 0; round < rounds; round++) {
        int fds[2];
        if (pipe(fds) < 0) {
            perror("pipe");
            return 1;
        }
        size_t length = strlen(spec) + 32;
        char *with_pipe = malloc(length);
        snprintf(with_pipe, length, "%s\nkeep_fd=%d\n", spec, fds[1]);
        long long started = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            char err[512];
            char timings[2048];
            long long t = now_ns();
            int result = extensa_sandbox_apply(with_pipe, err, sizeof err);
            long long took = now_ns() - t;
            if (result < 0) {
                dprintf(fds[1], "error %s\n", err);
                _exit(1);
            }
            extensa_sandbox_timings(timings, sizeof timings);
            dprintf(fds[1], "total=%lld %s\n", took, timings);
            _exit(0);
        }
        close(fds[1]);
        free(with_pipe);
        char line[4096];
        ssize_t got = 0, n;
        while ((n = read(fds[0], line + got, sizeof line - 1 - (size_t) got)) > 0) {
            got += n;
        }
        close(fds[0]);
        line[got > 0 ? got : 0] = '\0';
        int status;
        waitpid(pid, &status, 0);
        round_trip[round] = now_ns() - started;
        if (strncmp(line, "error", 5) == 0 || got <= 0) {
            fprintf(stderr, "extensa-sandbox: round %d failed: %s\n", round, got > 0 ? line : "(no report)");
            return 1;
        }
        char *save = NULL;
        for (char *item = strtok_r(line, " \n", &save); item; item = strtok_r(NULL, " \n", &save)) {
            char *eq = strchr(item, '=');
            if (eq == NULL) {
                continue;
            }
            *eq = '\0';
            long long ns = atoll(eq + 1);
            if (strcmp(item, "total") == 0) {
                apply_total[round] = ns;
                continue;
            }
            int index = -1;
            for (int i = 0; i < n_names; i++) {
                if (strcmp(names[i], item) == 0) {
                    index = i;
                }
            }
            if (index < 0 && n_names < BENCH_MAX_STEPS) {
                index = n_names++;
                snprintf(names[index], sizeof names[index], "%s", item);
            }
            if (index >= 0) {
                values[index][round] = ns;
            }
        }
    }
    printf("%-16s %10s %10s   (microseconds, %d rounds)\n", "step", "p50", "p99", rounds);
    for (int i = 0; i < n_names; i++) {
        printf("%-16s %10.1f %10.1f\n", names[i], percentile(values[i], rounds, 50) / 1000.0,
               percentile(values[i], rounds, 99) / 1000.0);
    }
    printf("%-16s %10.1f %10.1f\n", "apply (total)", percentile(apply_total, rounds, 50) / 1000.0,
           percentile(apply_total, rounds, 99) / 1000.0);
    printf("%-16s %10.1f %10.1f\n", "fork..reaped", percentile(round_trip, rounds, 50) / 1000.0,
           percentile(round_trip, rounds, 99) / 1000.0);
    return 0;
}

int main(int argc, char **argv) {
    char err[1024];
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("extensa-sandbox %d\n", extensa_sandbox_version());
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
        char out[256];
        if (extensa_sandbox_probe(out, sizeof out) < 0) {
            return 1;
        }
        printf("%s\n", out);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        char *spec = read_spec(argv[2]);
        if (spec == NULL) {
            return EXIT_USAGE;
        }
        if (extensa_sandbox_apply(spec, err, sizeof err) < 0) {
            fprintf(stderr, "extensa-sandbox: %s\n", err);
            return EXIT_SANDBOX;
        }
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--bench") == 0) {
        char *spec = read_spec(argv[3]);
        int rounds = atoi(argv[2]);
        if (spec == NULL || rounds <= 0) {
            usage();
            return EXIT_USAGE;
        }
        return bench(rounds, spec);
    }
    int first = 1;
    int timings = 0;
    if (first < argc && strcmp(argv[first], "--timings") == 0) {
        timings = 1;
        first++;
    }
    if (argc - first < 3 || strcmp(argv[first + 1], "--") != 0) {
        usage();
        return EXIT_USAGE;
    }
    char *spec = read_spec(argv[first]);
    if (spec == NULL) {
        return EXIT_USAGE;
    }
    /* the launchpad finds and kills a job by its session */
    setsid();
    if (extensa_sandbox_apply(spec, err, sizeof err) < 0) {
        fprintf(stderr, "extensa-sandbox: %s\n", err);
        return EXIT_SANDBOX;
    }
    if (timings) {
        char text[2048];
        extensa_sandbox_timings(text, sizeof text);
        fprintf(stderr, "extensa-sandbox timings (ns): %s\n", text);
    }
    free(spec);
    char **command = argv + first + 2;
    execvp(command[0], command);
    fprintf(stderr, "extensa-sandbox: cannot execute %s: %s\n", command[0], strerror(errno));
    return EXIT_EXEC;
}
