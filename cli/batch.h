/* batch.h: the batch runner shared by the CLI's batch, calibrate and
 * rerun commands (cli/batch.c, calibrate.c, rerun.c; prefix bat_).
 * Internal to the command line, like cli.h.
 */
#ifndef ECNYSIM_MAIN_BATCH_H
#define ECNYSIM_MAIN_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "sim/error.h"
#include "sim/progress.h"

/* One run of a batch: every --set it gets, in order (the seed's last). */
typedef struct {
    const char **sets;
    int n_sets;
    uint64_t seed;
    int point, replication; /* 1-based */
    int64_t set_id;         /* --ensemble: the parameter set's id (posterior.csv 'set') */
    double weight;          /* --ensemble: its weight; 1 otherwise */
} bat_run;

typedef struct {
    const char *scenario;
    const char *argv0;
    const char *work_dir;  /* run-XXXX folders are written here ... */
    const char *final_dir; /* ... and will live here: their manifests say so */
    int jobs;              /* processes at a time, >= 1 */
    prog_bar *bar;         /* NULL: none */
    int runs_before, runs_total; /* for the bar (calibration counts over evaluations) */
    /* Called in run order as soon as runs 0..i are all complete; false stops the batch. */
    bool (*on_done)(void *ctx, int i);
    void *ctx;
} bat_exec;

/* The seed of replication r (1-based) from the base seed: r == 1 keeps the
 * base seed (a one-run batch is the plain run), r > 1 uses
 * rng_mix(base, r) >> 2 (62 bits: within scenario.seed's range). Every
 * stream of a run is then hashed from (seed, city, purpose). */
uint64_t bat_seed(uint64_t base, int replication);

/* Folder paths inside a batch (work_dir/run-XXXX/...). */
#define BAT_PATH 4096

/* Runs runs[0..n) in child processes, at most x->jobs at a time (fork +
 * waitpid: each child runs one run into work_dir/run-XXXX). Returns an exit
 * status; *n_done is the prefix of runs completed and handed to on_done;
 * *interrupted is set when SIGINT/SIGTERM stopped the batch. */
int bat_execute(const bat_exec *x, const bat_run *runs, int n_runs, int *n_done, bool *interrupted);
/* bat_execute, or this rank's share of a batch spread over ranks (ranks > 1,
 * cli/procpool.c): runs i with i % ranks == rank, x->jobs at a time. Rank 0
 * learns of the others' runs by message, assembles (on_done) and decides
 * when to stop; the others have no bar and no on_done. */
int bat_execute_ranks(const bat_exec *x, int rank, int ranks, const bat_run *runs, int n_runs, int *n_done,
                      bool *interrupted);
/* Messages of a batch spread over ranks (sim/dist.h dst_send_ints): {kind,
 * run, code}. A worker (rank > 0) sends DONE for each of its runs as it
 * ends, FAIL when it cannot take part, INTR when a signal stopped it, and
 * IDLE once it has no run going and none left to start; after IDLE it only
 * waits for END. Rank 0 sends STOP (code 1: kill the running runs, as on
 * a signal; 0: let them end) when the batch stops early, and END to each
 * worker once every worker is idle, so no message is left in flight. */
enum { MSG_DONE = 1, MSG_FAIL, MSG_INTR, MSG_IDLE, MSG_STOP, MSG_END };
/* Sends {kind, run, code} to rank `to`; ends every rank when it cannot. */
void bat_send_msg(int to, int kind, int run, int code);

/* 'run' with a batch under mpirun, called on every rank when there is more
 * than one (cli/mpi.c): rank 0 plans, checks and creates the batch
 * folder, broadcasts its temporary path, and every rank runs its share of
 * the runs into it (bat_exec.rank/ranks); rank 0 assembles the combined
 * files exactly as cli_batch does. Returns the exit status: the batch's on
 * rank 0, EXIT_OK on the others. */
int bat_cli_ranks(const cli_args *a, int argc, char **argv);

/* A per-day results CSV (date, city, then numeric columns) read into memory. */
typedef struct {
    int n_val;      /* numeric columns */
    char **val_name;
    size_t n_rows;
    char **date, **city;
    double *v;      /* [row * n_val + col] */
} bat_table;
bool bat_table_read(const char *path, bat_table *t, err_list *errs);
void bat_table_free(bat_table *t);
int bat_table_col(const bat_table *t, const char *name); /* -1 when absent */


/* Removes a folder tree; NULL-safe. */
void bat_remove_tree(const char *dir);
/* Formats a number for CSV: %.10g. */
const char *bat_num(char buf[40], double v);

#endif
