/*
 * Extensa's satellite sandbox: Linux namespaces, a private read-only file system view, an
 * unprivileged identity, no capabilities, no_new_privs, rlimits, and no inherited descriptors,
 * applied to the calling process before it runs any job code.
 *
 * The API is language-neutral: plain C strings in, 0 or -1 out, an error text in a caller's
 * buffer. Python calls it through ctypes, R through dyn.load/.C, the cold path through the
 * extensa-sandbox program. The spec format is described in docs/security.md ("Sandbox spec"):
 * one "key=value" per line, unknown keys are errors.
 *
 * Two ways to use it:
 *
 *   extensa_sandbox_apply(spec)   everything at once. With a PID namespace the calling process
 *                                 splits (extensa_sandbox_split): it stays outside as the waiter
 *                                 and exits with the satellite's status (it never returns); the
 *                                 satellite, PID 2 of the new namespace, returns 0 fully sandboxed.
 *
 *   warm, in steps (a fork server's pre-forked child):
 *     extensa_sandbox_unshare(spec)   new namespaces for the caller (the PID namespace for its
 *                                     children)
 *     extensa_sandbox_split(starter)  the namespace's init (PID 1), which shares the caller's memory,
 *                                     and the satellite's process (PID 2, a fork); the caller stays
 *                                     outside as the waiter (never returns), PID 2 returns 0
 *     extensa_sandbox_prepare(spec)   in PID 2: the job-independent file system
 *     ... wait for a job ...
 *     extensa_sandbox_enter(spec)     the job's part (see below)
 *
 *   or, with one more copy of the caller (two forks, kept for compatibility):
 *     extensa_sandbox_unshare(spec)   new namespaces for the caller (the PID namespace for its
 *                                     children); the caller must fork next
 *     extensa_sandbox_wait(child)     in the parent: wait, exit with the child's status
 *     extensa_sandbox_init()          in the child (PID 1): forks; PID 1 stays as the namespace's
 *                                     reaper (never returns), the new child (PID 2) returns
 *     extensa_sandbox_prepare(spec)   in PID 2: the job-independent file system
 *     ... wait for a job ...
 *     extensa_sandbox_enter(spec)     the job's part: cgroups, job directory, socket, the job's
 *                                     read-only binds (job_ro=), pivot_root,
 *                                     rlimits, identity, capabilities, no_new_privs, descriptors
 *
 * All functions must be called from a single-threaded process (unshare of a user namespace
 * requires it, and fork must not copy a half-held lock).
 */
#ifndef EXTENSA_SANDBOX_H
#define EXTENSA_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#define EXTENSA_SANDBOX_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this library's API and spec format: EXTENSA_SANDBOX_VERSION. */
int extensa_sandbox_version(void);

/* All steps; see above. Returns 0 in the sandboxed process, -1 with err filled on failure. */
int extensa_sandbox_apply(const char *spec, char *err, size_t errlen);

int extensa_sandbox_unshare(const char *spec, char *err, size_t errlen);
int extensa_sandbox_prepare(const char *spec, char *err, size_t errlen);
int extensa_sandbox_enter(const char *spec, char *err, size_t errlen);

/*
 * After extensa_sandbox_unshare with a PID namespace: starts the namespace's init (PID 1, a reaper
 * on a small stack of its own that shares the caller's memory instead of copying it) and forks the
 * satellite's process (PID 2). The caller stays outside as the waiter: it waits for the satellite,
 * then kills init (and so the rest of the namespace), and exits with the satellite's status or dies
 * of its signal; like extensa_sandbox_wait_watching it watches starter (its parent when <= 1) and
 * never returns. PID 2 returns 0, or the caller gets -1 with err filled. Without a new PID namespace
 * there is no init: only the fork and the waiter.
 */
int extensa_sandbox_split(pid_t starter, char *err, size_t errlen);

/* In PID 1 of a new PID namespace: forks the satellite's process; PID 1 stays a reaper (see above). */
int extensa_sandbox_init(char *err, size_t errlen);

/*
 * Closes every descriptor, waits for child, then exits with its exit code or dies of its signal.
 * Should the caller's parent die first (a launchpad killed with SIGKILL), kills child, and with it
 * the whole PID namespace, within a tenth of a second.
 */
void extensa_sandbox_wait(pid_t child) __attribute__((noreturn));

/*
 * As extensa_sandbox_wait, but watches starter (when > 1) instead of the parent: a fork server's
 * spare names the launchpad, so a job outlives a fork server that dies alone but not the launchpad.
 */
void extensa_sandbox_wait_watching(pid_t child, pid_t starter) __attribute__((noreturn));

/*
 * Which namespaces this process may create, tried one by one in short-lived children, e.g.
 * "user mount pid net ipc uts proc". When not root, each is tried inside a new user namespace
 * ("user" is listed when that works). Returns 0, or -1 when out is too small.
 */
int extensa_sandbox_probe(char *out, size_t outlen);

/*
 * The steps of the last apply/unshare/prepare/enter in this process with their durations in
 * nanoseconds, "step=ns" separated by spaces, for measurements.
 */
int extensa_sandbox_timings(char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
