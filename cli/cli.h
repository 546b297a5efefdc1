/* cli.h: the command line's internal interface (prefix cli_), shared by
 * cli/main.c (dispatch, flags) and the cli/ files that carry out the
 * commands, one per command. cli/ is the one place that wires the engine
 * (sim/), the models (models/) and the view (viz/) together: sim/ includes
 * nothing of them, and tests/e2e_architecture.sh checks it.
 */
#ifndef ECNYSIM_CLI_H
#define ECNYSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/world.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/snapshot.h"

#ifndef ECNYSIM_VERSION
#define ECNYSIM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_BADINPUT = 2 };
_Static_assert(EXIT_RUNTIME == 1 && EXIT_BADINPUT == 2, "err_exit_status (sim/error.h) returns 1 and 2");
/* The exit status of a failed step whose messages are in e: its kind's
 * (sim/error.h), EXIT_BADINPUT when the step left no message. */
#define CLI_STATUS_OF(e) (err_exit_status(e) == EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_BADINPUT)
#define CLI_MAX_SETS 256
#define CLI_MAX_VARY 8
#define CLI_NAME_MAX 200  /* a results folder's name (NAME_MAX 255 less .partial-PID) */
#define CLI_OUT_MAX 1024  /* --out as given */
/* --speed of run --view and replay: simulated days per second (viz/viz_pace.h). */
#define CLI_SPEED_MIN 0.25
#define CLI_SPEED_MAX 1024.0

typedef struct {
    const char *scenario;
    const char *out;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    char seed_set[64];
    bool quiet;
    bool compress;     /* --compress: CSV files as FILE.csv.gz (zlib) */
    double trace_rate; /* --trace: share of ledger transfers written to transfers.csv */
    bool view;        /* --view: a live window (cli/view.c) */
    bool exit_at_end; /* --exit-at-end: close the window when the run ends */
    double speed_days_s; /* --speed N with --view (0: the view's default) */
    int replications;                 /* --replications N (0: not given) */
    int jobs;                         /* --jobs J (0: not given, 1) */
    const char *vary[CLI_MAX_VARY];   /* --vary section.key=v1,v2 | =start:stop:step */
    int n_vary;
    int ensemble;           /* --ensemble N (0: not given): members over the parameter ensemble */
    const char *posterior;  /* --posterior FILE (NULL: data_dir/posterior.csv) */
    int checkpoint_every;   /* --checkpoint-every DAYS (0: none); docs/checkpoint.md */
    const char *resume_dir; /* set by 'resume': the checkpoint folder the run continues from */
} cli_args;

/* Called after every simulated day with the frame just published. Return
 * false to stop the run early (it is then marked interrupted). */
typedef struct {
    void *ctx;
    bool (*on_day)(void *ctx, const snap_frame *frame, const eng_engine *eng);
} cli_hooks;

/* cli/args.c: parses flags from argv[first..]; run_options admits --out,
 * --seed, --quiet. Returns an exit status (2: a bad flag, with its message). */
int cli_parse(int argc, char **argv, int first, cli_args *a, bool run_options);

/* cli/session.c: one scenario opened for a run, the only place that wires
 * sim/ and models/ together for it. A plain 'run' goes main.c -> session.c
 * -> run.c (tests/e2e_architecture.sh checks the calls). Plain data: the
 * fields are read by the files that run a session. */
struct scn_doc;
typedef struct cli_session {
    const cli_args *a;
    struct scn_doc *doc; /* parsed once by cli_session_begin; NULL: its errors are in errs */
    err_list *errs;      /* the load's messages; after a load, the run's */
    dat_set *data;
    wld_world *world;    /* every city, or this rank's when split */
    eng_engine *eng;
    int ranks;           /* processes of the run (sim/dist.h); 1 without mpirun */
    bool started_ranks;  /* cli_session_begin started them: close ends them */
    bool split;          /* set by cli/mpi.c: this process is one rank of a run split by cities */
    snap_frame gathered; /* split: the day's rows summed over the ranks */
    int64_t *gathered_values;
    size_t gathered_cap;
} cli_session;
/* Parses a->scenario (with a->sets) once, keeping any errors for
 * cli_session_load to report; with ranks, starts the ranks (dst_init) for the
 * 'run' command. Returns EXIT_RUNTIME (message printed) only when out of
 * memory; close the session in every case. */
int cli_session_begin(cli_session *s, const cli_args *a, bool ranks);
/* Whether 'run' of this scenario and these flags makes a batch
 * (--replications, --vary, --ensemble, or [sweep]); doc may be NULL. */
bool cli_scenario_is_batch(const cli_args *a, const struct scn_doc *doc);
bool cli_session_batch(const cli_session *s);
/* Whether the scenario is the declared payments economy ([peer] residents > 0). */
bool cli_session_peer(const cli_session *s);
/* Checks the scenario (cli_check_scenario), loads its data and builds the
 * world; cli_session_engine then makes the engine and attaches the world;
 * cli_session_open does both. Return an exit status; with report, every
 * error of the load is printed (a split run's workers load quietly). */
int cli_session_load(cli_session *s, bool report);
int cli_session_engine(cli_session *s);
int cli_session_open(cli_session *s, bool report);
/* A split run (cli/mpi.c): whether to run another day (rank 0 decides,
 * every rank learns it), the day's frame with every rank's rows summed onto
 * rank 0, and ending every rank when one fails inside the day loop.
 * Outside a split run: go_on, the world's own frame, nothing. */
bool cli_session_go_on(const cli_session *s, bool go_on);
const snap_frame *cli_session_frame(cli_session *s);
void cli_session_fail(const cli_session *s);
/* Frees what the session holds and ends the ranks it started; NULL is fine. */
void cli_session_close(cli_session *s);
/* Checks what the schema alone cannot: [scenario] name is a plain folder
 * name, and 'days' does not carry the run past the last date 'end'
 * accepts. Adds FILE:LINE messages to errs; false when any. */
bool cli_check_scenario(const struct scn_doc *doc, err_list *errs);
/* A batch's parent hands the data it loaded from dir to the runs it forks
 * (cli_session_load then skips reading the same folder again). */
void cli_preload_data(const char *dir, const dat_set *data);
/* Runs a scenario to its results folder in a session of its own (the
 * [peer] economy or the cities): what a batch's runs, resume and the view
 * call. hooks may be NULL. Returns an exit status. */
int cli_run(const cli_args *a, int argc, char **argv, const cli_hooks *hooks);

/* cli/run.c: the day loop of an open session (cli_session_open): writes the
 * results folder, checkpoints when asked. hooks may be NULL. Returns an exit
 * status; the caller closes the session. */
int cli_run_session(cli_session *s, int argc, char **argv, const cli_hooks *hooks);
int cli_validate(const cli_args *a);
/* A results folder name: 1..CLI_NAME_MAX characters, no '/', no control
 * characters, not "." or "..". Adds "WHERE: WHAT is ..." when not. */
bool cli_check_name(const char *name, const char *what, const char *where, err_list *errs);
/* Writes the manifest lines 'command = "..."' (argv shell-quoted, so rerun can
 * split it back) and 'cwd = ...' (the working folder it ran in). */
void cli_write_command(FILE *m, int argc, char **argv);
/* Where a run's results go: --out, else results_dir/name (or the file name). */
void cli_results_location(const struct scn_doc *doc, const cli_args *a, char *root, size_t root_len, char *name,
                          size_t name_len);
/* cli/peer.c: runs the [peer] economy of an unopened session (cli_session_peer). */
int cli_run_peer(const cli_session *s, int argc, char **argv);
/* cli/args.c: --out DIR: not empty, at most CLI_OUT_MAX characters, each
 * part of the path at most 255, the last a valid name. Prints the message;
 * false when bad. */
bool cli_check_out(const char *out);
/* cli/args.c: --checkpoint-every DAYS (value: the next argument, NULL when
 * none): a whole number from 1 to 100000. Returns it; prints the message and
 * returns 0 when bad. */
int cli_check_checkpoint_every(const char *value);
/* cli/batch.c: 'run' with --replications, --vary, --jobs or a [sweep]
 * section runs a batch into results/NAME/run-XXXX/ and summarises it;
 * otherwise it is cli_run. */
int cli_batch(const cli_args *a, int argc, char **argv);
/* cli/calibrate.c: 'calibrate S.ini --targets F.csv --fit k1,k2'. */
int cli_calibrate(int argc, char **argv);
/* cli/targets.c: 'targets': the model against data/targets.csv, the
 * joint fit, leave-one-area-out and the ABC ensemble. */
int cli_targets(int argc, char **argv);
/* cli/rerun.c: 'rerun DIR': re-runs a results folder's recorded command
 * and compares every file byte for byte. */
int cli_rerun(int argc, char **argv);
/* cli/view.c: 'run --view' (live window; exit 1 without a display),
 * 'replay DIR' and 'snapshot (S.ini | DIR) [--date D] --out F.png'. */
/* The view commands, in the plug-in ecnysim-view.so (cli/view.c) ... */
int cli_view_run(const cli_args *a, int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_snapshot(int argc, char **argv);
/* ... and their loaders in the program (cli/viewlib.c): exit 1 with a
 * message when the plug-in cannot be loaded. */
int cli_view_run_plugin(const cli_args *a, int argc, char **argv);
int cli_replay_plugin(int argc, char **argv);
int cli_snapshot_plugin(int argc, char **argv);
int cli_describe(int argc, char **argv);
/* cli/mpi.c (docs/distributed.md): 'run' under mpirun with more than one
 * rank (s begun with ranks): a batch spread over the ranks by runs, a run
 * split by cities (every rank builds and runs its own), or the whole run on
 * rank 0 while the others wait. Returns an exit status. */
int cli_dist_run(cli_session *s, int argc, char **argv);
void cli_usage(FILE *to);

/* cli/resume.c: checkpoints and 'resume DIR' (docs/checkpoint.md).
 * cli_ckp_prepare, after the world and engine exist: refuses what cannot be
 * checkpointed and, when a->resume_dir is set, loads the checkpoint into w
 * and eng. Returns an exit status (2: bad or mismatched checkpoint).
 * cli_ckp_restore_rows writes the checkpoint's rows of one CSV table into
 * csv. cli_ckp_maybe writes ROOT/NAME.checkpoint/ when the day just run is
 * a multiple of a->checkpoint_every (or force, e.g. on SIGINT): false with
 * the message in errs, the previous checkpoint left intact. cli_ckp_remove
 * removes it once the run is complete. */
struct wld_world;
struct out_run;
struct out_csv;
/* cli/run.c: a run's KPI lines from dir/kpi.csv, a batch's from
 * dir/kpi_summary.csv (nothing when the file is not there). */
void cli_print_run_kpis(const char *dir, FILE *to);
void cli_print_batch_kpis(const char *dir, FILE *to);
int cli_resume(int argc, char **argv);
int cli_ckp_prepare(const cli_args *a, struct wld_world *w, eng_engine *eng);
bool cli_ckp_restore_rows(const cli_args *a, const char *file, struct out_csv *csv, char *err, size_t err_len);
bool cli_ckp_maybe(const cli_args *a, const struct scn_doc *doc, const struct wld_world *w, const eng_engine *eng,
                   struct out_run *run, const char *root, const char *name, bool force, char *err, size_t err_len);
void cli_ckp_remove(const char *root, const char *name);

#endif
