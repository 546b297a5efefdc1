/* viewlib.c: loads the view plug-in (ecnysim-view.so) for the view
 * commands (run --view, replay, snapshot).
 *
 * The view links SDL2 and its seventy-odd shared libraries; loading them at
 * every start of the program would cost more than a whole simulation of a
 * small scenario, so the view lives in a plug-in opened only when asked for.
 * It is looked for in $ECNYSIM_VIEW_LIB, beside the program, and in
 * ../lib/ecnysim/ relative to it (where `make install` puts it).
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

typedef int (*view_run_fn)(const cli_args *a, int argc, char **argv);
typedef int (*view_cmd_fn)(int argc, char **argv);

static void *open_plugin(void)
{
    const char *env = getenv("ECNYSIM_VIEW_LIB");
    if (env && *env)
        return dlopen(env, RTLD_NOW | RTLD_LOCAL);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    static const char *const places[] = {"%s/ecnysim-view.so", "%s/../lib/ecnysim/ecnysim-view.so"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, places[i], exe);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
    }
    return NULL;
}

static void *view_symbol(const char *name)
{
    static void *handle;
    if (!handle)
        handle = open_plugin();
    if (!handle) {
        const char *why = dlerror();
        fprintf(stderr,
                "ecnysim: the view is not available: cannot load ecnysim-view.so (%s): build it with 'make', "
                "or point ECNYSIM_VIEW_LIB at it\n",
                why ? why : "not found beside the program");
        return NULL;
    }
    void *sym = dlsym(handle, name);
    if (!sym)
        fprintf(stderr, "ecnysim: the view plug-in lacks %s: rebuild it with 'make'\n", name);
    return sym;
}

int cli_view_run_plugin(const cli_args *a, int argc, char **argv)
{
    view_run_fn fn = (view_run_fn)(uintptr_t)view_symbol("cli_view_run");
    return fn ? fn(a, argc, argv) : EXIT_RUNTIME;
}

int cli_replay_plugin(int argc, char **argv)
{
    view_cmd_fn fn = (view_cmd_fn)(uintptr_t)view_symbol("cli_replay");
    return fn ? fn(argc, argv) : EXIT_RUNTIME;
}

int cli_snapshot_plugin(int argc, char **argv)
{
    view_cmd_fn fn = (view_cmd_fn)(uintptr_t)view_symbol("cli_snapshot");
    return fn ? fn(argc, argv) : EXIT_RUNTIME;
}
