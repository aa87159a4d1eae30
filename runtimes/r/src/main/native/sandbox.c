/*
 * The fork server's bridge to Extensa's C sandbox library (launchpad/src/main/c/extensa_sandbox.h,
 * shipped as libextensa_sandbox.so, path in EXTENSA_SANDBOX_LIB). The library's functions take a
 * C string and an error buffer, which R's .C cannot pass, so this file loads the library with
 * dlopen and calls it for R. See docs/security.md, "Warm start inside the sandbox".
 *
 * A spare child calls ext_spare_sandbox before it has a job (namespaces, the PID namespace's
 * init, the job-independent file system); its job process calls ext_sandbox_enter with the
 * job's part of the spec. Both run in a freshly forked, single-threaded process, as the library
 * requires.
 */
#define _GNU_SOURCE
#include "extensa_native.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SANDBOX_API_VERSION 1
#define SANDBOX_ERROR_SIZE 1024

typedef int (*spec_step)(const char *spec, char *err, size_t errlen);
typedef int (*split_step)(pid_t starter, char *err, size_t errlen);
typedef int (*version_step)(void);

static struct {
    spec_step unshare;
    spec_step prepare;
    spec_step enter;
    split_step split;
} library;

static int loaded;
/* the fork server's parent, the launchpad: a spare's waiter ends the job when it dies */
static pid_t launchpad;

static SEXP sandbox_failure(const char *step, const char *err) {
    char message[SANDBOX_ERROR_SIZE + 64];
    snprintf(message, sizeof message, "sandbox %s: %s", step, err[0] != '\0' ? err : "failed");
    return Rf_mkString(message);
}

/* Loads the library at path: NULL, or a message saying why it cannot be used. */
SEXP ext_sandbox_load(SEXP path) {
    const char *name = Rf_translateChar(STRING_ELT(path, 0));
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        return sandbox_failure("library", why != NULL ? why : name);
    }
    version_step version = (version_step) dlsym(handle, "extensa_sandbox_version");
    library.unshare = (spec_step) dlsym(handle, "extensa_sandbox_unshare");
    library.prepare = (spec_step) dlsym(handle, "extensa_sandbox_prepare");
    library.enter = (spec_step) dlsym(handle, "extensa_sandbox_enter");
    library.split = (split_step) dlsym(handle, "extensa_sandbox_split");
    if (version == NULL || library.unshare == NULL || library.prepare == NULL || library.enter == NULL
        || library.split == NULL) {
        dlclose(handle);
        return sandbox_failure("library", "a function of extensa_sandbox.h is missing");
    }
    if (version() != SANDBOX_API_VERSION) {
        char why[128];
        snprintf(why, sizeof why, "API version %d, this runtime speaks %d", version(), SANDBOX_API_VERSION);
        dlclose(handle);
        return sandbox_failure("library", why);
    }
    loaded = 1;
    launchpad = getppid();
    return R_NilValue;
}

/*
 * In a spare child, before it has a job: new namespaces, then the split. The process the launchpad
 * knows (this one) stays outside, waits for the satellite's process and exits with its status;
 * never returns. The namespace's init (PID 1) shares the waiter's memory rather than copying the
 * interpreter's; PID 2, the one fork, builds the job-independent file system and returns NULL, or
 * a message naming the step that failed.
 */
SEXP ext_spare_sandbox(SEXP spec_value) {
    char err[SANDBOX_ERROR_SIZE] = "";
    if (!loaded) {
        return Rf_mkString("sandbox: the library is not loaded");
    }
    const char *spec = Rf_translateChar(STRING_ELT(spec_value, 0));
    if (library.unshare(spec, err, sizeof err) != 0) {
        return sandbox_failure("unshare", err);
    }
    fflush(NULL);
    /* the waiter watches the launchpad, not the fork server: a fork server that dies alone leaves
       its running jobs to the launchpad, a launchpad that dies takes them (as for Python) */
    if (library.split(launchpad, err, sizeof err) != 0) {
        return sandbox_failure("split", err);
    }
    if (library.prepare(spec, err, sizeof err) != 0) {
        return sandbox_failure("prepare", err);
    }
    return R_NilValue;
}

/*
 * The job's part, in the spare's job process: job directory and socket, root switch, cgroups,
 * rlimits, worker account, no capabilities, no_new_privs, seccomp, descriptors above 2 closed.
 * NULL, or a message naming the step that failed.
 */
SEXP ext_sandbox_enter(SEXP spec_value) {
    char err[SANDBOX_ERROR_SIZE] = "";
    if (!loaded) {
        return Rf_mkString("sandbox: the library is not loaded");
    }
    if (library.enter(Rf_translateChar(STRING_ELT(spec_value, 0)), err, sizeof err) != 0) {
        return sandbox_failure("enter", err);
    }
    return R_NilValue;
}
