/* targets_int.h: what cli/targets.c (the targets file, runs in memory,
 * scoring, the command) and cli/targets_fit.c (the joint fit, leave one
 * area out, the ABC ensemble) share. Internal to the targets command. */
#ifndef ECNYSIM_CLI_TARGETS_INT_H
#define ECNYSIM_CLI_TARGETS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/error.h"

#define TGT_MAX_ROWS 512
#define TGT_MAX_SCENARIOS 8
#define TGT_MAX_PARTS 16
#define TGT_MAX_FIT 32
#define TGT_MAX_SEEDS 16
#define TGT_MAX_SETS 64

typedef struct {
    char id[64], area[256], scenario[256], metric[256], confidence[16], note[256], source[256];
    char outcome[96]; /* metric programmes.csv:OUTCOME: this outcome of programme 'area' at the end */
    int line;         /* in the targets file, for messages */
    bool sum;
    int32_t day_from, day_to; /* day_from INT32_MIN: from the scenario start */
    double value, weight;
    int group; /* index into scenarios */
    /* resolved against the scenario's daily table at the first frame */
    int n_cities, city[64];
    int n_cols, col[TGT_MAX_PARTS];
    bool fen[TGT_MAX_PARTS];
    bool resolved;
} tgt_row;

typedef struct {
    tgt_row row[TGT_MAX_ROWS];
    int n;
    char scenario[TGT_MAX_SCENARIOS][256];
    int n_scenarios;
    char path[1024]; /* the targets file, for messages */
} tgt_set;

typedef struct {
    char key[128];
    double start, lo, hi;
    bool integer; /* an INT key: its value is rounded */
    bool money;   /* a MONEY key: rounded to the fen */
} tgt_param;

typedef struct {
    const char *targets_path;
    uint64_t seeds[TGT_MAX_SEEDS];
    int n_seeds;
    const char *sets[TGT_MAX_SETS];
    int n_sets;
    tgt_param p[TGT_MAX_FIT];
    int n_p;
    int max_evals, jobs, abc, loao_evals;
    double step; /* the pattern search's first step, in log units */
    bool loao, quiet;
    const char *write_defaults, *posterior_out, *markdown_out, *model_error_out;
} tgt_opts;

typedef struct {
    int scored, within, beyond2;
    double worst;
    int worst_row;
} tgt_summary;

/* Reads the targets file; false with every problem in errs. */
bool tgt_load_targets(const char *path, tgt_set *T, err_list *errs);
/* Runs every (scenario, seed) with the overrides, o->jobs at a time;
 * model[i] is row i's mean over the seeds. False with the failure in errs. */
bool tgt_evaluate(tgt_set *T, const tgt_opts *o, const char *const *sets, int n_sets, double *model,
                  err_list *errs);
/* Frees the data kept between runs (the last scenario's data folder). */
void tgt_free_cache(void);
bool tgt_row_scored(const tgt_row *r);          /* not 'uncertain' */
double tgt_log_ratio(double model, double published);
/* Weighted squared log-ratio over rows with include[i] (NULL: all). */
double tgt_loss(const tgt_set *T, const double *model, const bool *include);
tgt_summary tgt_summarise(const tgt_set *T, const double *model);
bool tgt_passes(tgt_summary s);                 /* >= 90 % within +-25 %, none beyond 2x */
void tgt_print_table(FILE *to, const tgt_set *T, const double *model, bool markdown);

/* targets_fit.c */
/* A key's value at log offset x from its start, in range (rounded for INT and MONEY keys). */
double tgt_param_value(const tgt_param *p, double x);
/* The --set texts: the command's own, then each fitted key at x (NULL: the starts). */
int tgt_build_sets(const tgt_opts *o, const double *x, char (*text)[192], const char **sets);
/* The pattern search over rows with include[i]; x: start in, best point out. */
bool tgt_fit(tgt_set *T, const tgt_opts *o, const bool *include, int max_evals, double step, double *x,
             err_list *errs);
/* Adds the comma-separated keys to fit; false (with a message) on a bad key. */
bool tgt_add_params(tgt_opts *o, const char *list);
bool tgt_write_defaults(const char *path, const tgt_opts *o, const double *x, double f, const tgt_summary *s,
                        err_list *errs);
/* The history-matching ensemble around x_fit into o->posterior_out. */
bool tgt_abc(tgt_set *T, const tgt_opts *o, const double *x_fit, double f_fit, err_list *errs);
/* The model error of one area per daily.csv column, to `to` and into path
 * when it is not NULL. */
bool tgt_write_model_error(const char *path, const tgt_set *T, const double *model, FILE *to, err_list *errs);
/* The leave-one-area-out table, to `to` (and `md` when not NULL). */
void tgt_loao(tgt_set *T, const tgt_opts *o, const double *x_fit, FILE *to, FILE *md, err_list *errs);

#endif
