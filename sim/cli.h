/* cli.h: the command line's internal interface (prefix cli_), shared by
 * sim/main.c (dispatch, flags) and the sim/main_*.c files that carry out
 * the commands. These files are the one place that wires the engine, the
 * models, the output and the view together: no other file in sim/ includes
 * models/ or viz/.
 */
#ifndef ECNYSIM_CLI_H
#define ECNYSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/engine.h"
#include "sim/snapshot.h"

#ifndef ECNYSIM_VERSION
#define ECNYSIM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_BADINPUT = 2 };
#define CLI_MAX_SETS 256
#define CLI_MAX_VARY 8

typedef struct {
    const char *scenario;
    const char *out;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    char seed_set[64];
    bool quiet;
    bool view;        /* --view: a live window (sim/main_view.c) */
    bool exit_at_end; /* --exit-at-end: close the window when the run ends */
    int replications;                 /* --replications N (0: not given) */
    int jobs;                         /* --jobs J (0: not given, 1) */
    const char *vary[CLI_MAX_VARY];   /* --vary section.key=v1,v2 | =start:stop:step */
    int n_vary;
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
/* sim/main_peer.c: runs the scenario when its [peer] section has residents > 0
 * (*handled set true); otherwise sets *handled false and does nothing. */
int cli_run_peer(const cli_args *a, int argc, char **argv, bool *handled);
int cli_validate(const cli_args *a);
/* sim/main_batch.c: 'run' with --replications, --vary, --jobs or a [sweep]
 * section runs a batch into results/NAME/run-XXXX/ and summarises it;
 * otherwise it is cli_run. */
int cli_batch(const cli_args *a, int argc, char **argv);
/* sim/main_calib.c: 'calibrate S.ini --targets F.csv --fit k1,k2'. */
int cli_calibrate(int argc, char **argv);
/* sim/main_rerun.c: 'rerun DIR': re-runs a results folder's recorded command
 * and compares every file byte for byte. */
int cli_rerun(int argc, char **argv);
/* Writes the manifest lines 'command = "..."' (argv shell-quoted, so rerun can
 * split it back) and 'cwd = ...' (the working folder it ran in). */
void cli_write_command(FILE *m, int argc, char **argv);
/* Where a run's results go: --out, else results_dir/name (or the file name). */
struct scn_doc;
void cli_results_location(const struct scn_doc *doc, const cli_args *a, char *root, size_t root_len, char *name,
                          size_t name_len);
/* sim/main_view.c: 'run --view' (live window; exit 1 without a display),
 * 'replay DIR' and 'snapshot (S.ini | DIR) [--date D] --out F.png'. */
int cli_view_run(const cli_args *a, int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_snapshot(int argc, char **argv);
int cli_describe(int argc, char **argv);
void cli_usage(FILE *to);

#endif
