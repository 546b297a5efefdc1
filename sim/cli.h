/* cli.h: the command line's internal interface (prefix cli_), shared by
 * sim/main.c (dispatch, flags) and the sim/main_*.c files that carry out
 * the commands. These files are the one place that wires the engine, the
 * models, the output and the view together: no other file in sim/ includes
 * models/ or viz/.
 */
#ifndef ECNYSIM_CLI_H
#define ECNYSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/snapshot.h"

#ifndef ECNYSIM_VERSION
#define ECNYSIM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_BADINPUT = 2 };
#define CLI_MAX_SETS 256

typedef struct {
    const char *scenario;
    const char *out;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    char seed_set[64];
    bool quiet;
} cli_args;

/* Called after every simulated day with the frame just published. Return
 * false to stop the run early (it is then marked interrupted). */
typedef struct {
    void *ctx;
    bool (*on_day)(void *ctx, const snap_frame *frame, const eng_engine *eng);
} cli_hooks;

/* Parses flags from argv[first..]; run_options admits --out, --seed, --quiet. */
int cli_parse(int argc, char **argv, int first, cli_args *a, bool run_options);
/* Runs a scenario to its results folder. hooks may be NULL. Returns an exit status. */
int cli_run(const cli_args *a, int argc, char **argv, const cli_hooks *hooks);
int cli_validate(const cli_args *a);
int cli_describe(int argc, char **argv);
void cli_usage(FILE *to);

#endif
