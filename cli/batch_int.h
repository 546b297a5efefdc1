/* batch_int.h: what cli/batch.c (running a batch, the combined files) shares
 * with cli/batch_plan.c (the plan), cli/summary.c (summary.csv and
 * kpi_summary.csv of each point): the batch being run; cli/ensemble.c reads
 * its parameter sets. Internal to those four files (prefix bat_).
 */
#ifndef ECNYSIM_CLI_BATCH_INT_H
#define ECNYSIM_CLI_BATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/batch.h"
#include "sim/output.h"

#define BAT_MAX_DIMS (CLI_MAX_VARY + 8)
#define BAT_POSTERIOR_MAX_KEYS 64
#define BAT_MODEL_ERROR_MAX 64 /* metrics in model_error.csv */
/* A point's summary reads its runs' daily.csv a block of rows at a time, the
 * block sized so the values held (runs x rows x metrics doubles) stay under this. */
#define BAT_SUMMARY_BYTES ((size_t)64 << 20)

/* One swept key ([sweep] varyK or --vary) and its values. */
typedef struct {
    char key[256];
    char spec[1100];
    int n;
    char **val;
} bat_dim;

/* A batch: its inputs, its plan (points x replications), the parameter
 * ensemble and the combined files being written. */
typedef struct {
    /* inputs */
    const cli_args *a;
    int argc;
    char **argv;
    /* the plan */
    bat_dim dim[BAT_MAX_DIMS];
    int n_dims;
    int n_points, reps, n_runs;
    bat_run *runs;
    char **owned; /* strings the runs point at */
    int n_owned;
    int *point_first;
    /* --ensemble / [sweep] ensemble: the parameter sets (posterior.csv) */
    int ensemble;        /* members per point (0: none; then reps = replications) */
    char posterior[BAT_PATH];
    int n_keys, n_sets;  /* columns after set,weight; parameter sets (rows) */
    char *key[BAT_POSTERIOR_MAX_KEYS];
    int64_t *set_id;
    double *weight;
    int *set_line;       /* line of each set in the file */
    char **assign;       /* [set * n_keys + k]: "section.key=value" */
    bool weighted;       /* weights differ: weighted summaries */
    bool summary_only;   /* [sweep] outputs = summary */
    /* data_dir/model_error.csv: the sd of the model's log error per metric */
    char model_error_path[BAT_PATH]; /* "" when the data folder has none */
    uint64_t model_error_hash;       /* ckp_hash_file of it: the manifest says which file it was */
    int n_model_error;
    char me_metric[BAT_MODEL_ERROR_MAX][64];
    double me_sd[BAT_MODEL_ERROR_MAX];
    /* output */
    out_run *out;
    out_csv *runs_csv, *all_csv, *sum_csv, *kpi_csv;
    err_list *errs;
} bat_batch;

/* fmt with its two %s filled with a and c, in a new string (malloc); NULL
 * when out of memory. */
char *bat_fmt_alloc(const char *fmt, const char *a, const char *c);
/* cli/ensemble.c: reads b->posterior into b's parameter sets (key, set_id,
 * weight, set_line, assign, weighted). Prints every problem as FILE:LINE:
 * ...; returns an exit status (2 for a bad file). bat_posterior_free frees
 * what it read, also after a failed read. */
int bat_read_posterior(bat_batch *b);
void bat_posterior_free(bat_batch *b);
/* cli/model_error.c: reads data_dir/model_error.csv, when the data folder
 * has one, into b (model_error_path, me_metric, me_sd); an exit status (2
 * for a bad file, its problems printed as FILE:LINE). bat_model_error: the
 * sd of the log error of a daily.csv column as a batch uses it (widened for
 * the few rows it was measured on), 0 when there is none. */
struct scn_doc;
int bat_read_model_error(bat_batch *b, const struct scn_doc *doc);
double bat_model_error(const bat_batch *b, const char *metric);
/* A copy of s (malloc), NULL when out of memory. */
char *bat_dup(const char *s);
/* cli/batch_plan.c. Each step returns an exit status (2: a bad plan, with
 * its message printed). bat_plan_read reads the swept keys and the
 * replications (*is_batch: whether there is a batch at all);
 * bat_plan_ensemble reads the parameter sets when there is an ensemble;
 * bat_plan_runs builds every run's --set list and seed; bat_plan_validate
 * loads every point's scenario before anything runs; bat_plan_check_memory
 * checks --jobs runs fit in [scenario] memory_limit_gib (and preloads the
 * data for the forked runs). bat_batch_free frees what they made. */
int bat_plan_read(bat_batch *b, const struct scn_doc *doc, bool *is_batch);
int bat_plan_ensemble(bat_batch *b, const struct scn_doc *doc);
int bat_plan_runs(bat_batch *b, const struct scn_doc *doc);
int bat_plan_validate(bat_batch *b);
int bat_plan_check_memory(bat_batch *b, int jobs);
void bat_batch_free(bat_batch *b);
/* Writes point's value of every swept key into the row being written. */
void bat_write_params(const bat_batch *b, out_csv *c, int point);
/* cli/summary.c: writes summary.csv rows (and kpi_summary.csv rows) of one
 * point from its replications' files under dir. False with the message in
 * b->errs. */
bool bat_summarize_point(bat_batch *b, const char *dir, int point);

#endif
