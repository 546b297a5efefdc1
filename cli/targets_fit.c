/* targets_fit.c: the fitting half of 'ecnysim targets' (cli/targets.c):
 * the joint fit of behavioural keys to data/targets.csv by a pattern search
 * in log space, the header of fitted defaults (models/calibrated.h), the
 * leave-one-area-out table, the parameter ensemble by history matching
 * (data/posterior.csv) and the model error a batch adds to its bands
 * (data/model_error.csv). Every evaluation is tgt_evaluate over the same
 * seeds (common random numbers). Cost: one evaluation per point tried.
 */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/targets_int.h"
#include "models/schema.h"
#include "sim/rng.h"
#include "sim/scenario.h"

/* ------------------------------------------------------------ the fit */

typedef struct {
    tgt_set *T;
    const tgt_opts *o;
    const bool *include;
    double *model;
    char (*set_text)[192];
    const char **sets;
    int n_sets, evals, max_evals;
    double best_f, *best_x;
    bool failed;
    err_list *errs;
} fit_ctx;

double tgt_param_value(const tgt_param *p, double x)
{
    double v = fmin(p->hi, fmax(p->lo, p->start * exp(x)));
    return p->integer ? round(v) : p->money ? round(v * 100.0) / 100.0 : v;
}

int tgt_build_sets(const tgt_opts *o, const double *x, char (*text)[192], const char **sets)
{
    int n = 0;
    for (int i = 0; i < o->n_sets; i++)
        sets[n++] = o->sets[i];
    for (int k = 0; k < o->n_p; k++) {
        snprintf(text[k], 192, o->p[k].integer ? "%s=%.0f" : o->p[k].money ? "%s=%.2f" : "%s=%.6g", o->p[k].key,
                 x ? tgt_param_value(&o->p[k], x[k]) : o->p[k].start);
        sets[n++] = text[k];
    }
    return n;
}

static double fit_f(const gsl_vector *v, void *params)
{
    fit_ctx *c = params;
    if (c->failed)
        return 1e30;
    double x[TGT_MAX_FIT];
    double penalty = 0;
    for (int k = 0; k < c->o->n_p; k++) {
        x[k] = gsl_vector_get(v, (size_t)k);
        double raw = c->o->p[k].start * exp(x[k]);
        if (raw > c->o->p[k].hi)
            penalty += log(raw / c->o->p[k].hi) * log(raw / c->o->p[k].hi);
        if (raw < c->o->p[k].lo && c->o->p[k].lo > 0)
            penalty += log(c->o->p[k].lo / raw) * log(c->o->p[k].lo / raw);
    }
    int n = tgt_build_sets(c->o, x, c->set_text, c->sets);
    if (!tgt_evaluate(c->T, c->o, c->sets, n, c->model, c->errs)) {
        c->failed = true;
        return 1e30;
    }
    double f = tgt_loss(c->T, c->model, c->include) + penalty;
    c->evals++;
    if (f < c->best_f) {
        c->best_f = f;
        memcpy(c->best_x, x, sizeof(double) * (size_t)c->o->n_p);
    }
    if (!c->o->quiet) {
        fprintf(stderr, "\r  fit: evaluation %d/%d, loss %.4f (best %.4f)   ", c->evals, c->max_evals, f, c->best_f);
        fflush(stderr);
    }
    return f;
}

/* One evaluation of the loss at x (log offsets), counted against the budget. */
static double fit_at(fit_ctx *c, const double *x)
{
    gsl_vector_view v = gsl_vector_view_array((double *)x, (size_t)c->o->n_p);
    return fit_f(&v.vector, c);
}

/* Minimises the loss over rows with include[i]; x holds the start (log
 * offsets from the params' starts) and receives the best point. A pattern
 * search (compass search, Kolda, Lewis & Torczon 2003): each key in turn is
 * moved up and down by its step in log space and keeps a move that lowers
 * the loss; a key whose moves both fail halves its step. It needs no
 * gradient, is robust to the small noise of a stochastic model under common
 * random numbers, and each sweep costs at most two runs per key. It stops
 * when every step is below 0.02 (2 %) or the budget is spent. */
bool tgt_fit(tgt_set *T, const tgt_opts *o, const bool *include, int max_evals, double step, double *x,
                err_list *errs)
{
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    double *model = calloc((size_t)T->n, sizeof *model);
    double best_x[TGT_MAX_FIT], steps[TGT_MAX_FIT];
    if (!model) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    memcpy(best_x, x, sizeof(double) * (size_t)o->n_p);
    fit_ctx c = {T, o, include, model, set_text, sets, 0, 0, max_evals, INFINITY, best_x, false, errs};
    for (int k = 0; k < o->n_p; k++)
        steps[k] = step;
    double here[TGT_MAX_FIT];
    memcpy(here, x, sizeof(double) * (size_t)o->n_p);
    double f = fit_at(&c, here);
    bool moving = true;
    while (moving && c.evals < max_evals && !c.failed) {
        moving = false;
        for (int k = 0; k < o->n_p && c.evals < max_evals && !c.failed; k++) {
            if (steps[k] < 0.02)
                continue;
            moving = true;
            bool better = false;
            for (int dir = 1; dir >= -1 && !better; dir -= 2) {
                double trial[TGT_MAX_FIT];
                memcpy(trial, here, sizeof(double) * (size_t)o->n_p);
                trial[k] += dir * steps[k];
                double ft = fit_at(&c, trial);
                if (ft < f) {
                    f = ft;
                    memcpy(here, trial, sizeof(double) * (size_t)o->n_p);
                    better = true;
                }
            }
            if (!better)
                steps[k] *= 0.5;
        }
    }
    if (!o->quiet)
        fprintf(stderr, "\n");
    memcpy(x, best_x, sizeof(double) * (size_t)o->n_p);
    free(model);
    return !c.failed;
}

/* ------------------------------------------------------------ parameters */

static const scn_key *schema_key(const char *dotted)
{
    char sec[64];
    const char *dot = strchr(dotted, '.');
    if (!dot || (size_t)(dot - dotted) >= sizeof sec)
        return NULL;
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - dotted), dotted);
    for (size_t s = 0; s < ecny_schema.n_sections; s++) {
        const scn_section *S = &ecny_schema.sections[s];
        if (strcmp(S->name, sec) != 0 || S->named)
            continue;
        for (size_t k = 0; k < S->n_keys; k++)
            if (strcmp(S->keys[k].key, dot + 1) == 0)
                return &S->keys[k];
    }
    return NULL;
}

bool tgt_add_params(tgt_opts *o, const char *list)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        const scn_key *k = schema_key(tok);
        if (!k || (k->type != SCN_REAL && k->type != SCN_INT && k->type != SCN_MONEY)) {
            fprintf(stderr, "ecnysim: --fit: '%s' is not a numeric key of a single section: expected section.key "
                            "(ecnysim describe lists them)\n", tok);
            return false;
        }
        if (o->n_p == TGT_MAX_FIT) {
            fprintf(stderr, "ecnysim: --fit: more than %d keys: expected at most that many\n", TGT_MAX_FIT);
            return false;
        }
        tgt_param *p = &o->p[o->n_p++];
        snprintf(p->key, sizeof p->key, "%s", tok);
        /* the current value: a --set of the key wins over the schema default */
        p->start = k->def ? strtod(k->def, NULL) : 0;
        size_t len = strlen(tok);
        for (int i = 0; i < o->n_sets; i++)
            if (strncmp(o->sets[i], tok, len) == 0 && o->sets[i][len] == '=')
                p->start = strtod(o->sets[i] + len + 1, NULL);
        p->lo = k->min;
        p->hi = k->max;
        p->integer = k->type == SCN_INT;
        p->money = k->type == SCN_MONEY;
        if (!(p->start > 0)) {
            fprintf(stderr, "ecnysim: --fit: '%s' starts at %g: expected a positive value (the fit works in log "
                            "space)\n", tok, p->start);
            return false;
        }
    }
    return true;
}

/* Opens PATH.tmp for writing (renamed over PATH once complete, so a failed
 * write leaves the old file); NULL with the message in errs. */
static FILE *open_temp(const char *path, char *tmp, size_t tmp_len, err_list *errs)
{
    snprintf(tmp, tmp_len, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        err_add(errs, "%s: cannot write: %s", tmp, strerror(errno));
    return f;
}

bool tgt_write_defaults(const char *path, const tgt_opts *o, const double *x, double f, const tgt_summary *s,
                           err_list *errs)
{
    char tmp[4200];
    FILE *h = open_temp(path, tmp, sizeof tmp, errs);
    if (!h)
        return false;
    fprintf(h, "/* calibrated.h: the behavioural defaults fitted jointly to data/targets.csv.\n"
               " * Generated by `make calibrate` (ecnysim targets --fit ... --write-defaults);\n"
               " * do not edit by hand. Loss %.4f; %d of %d scored rows within +-25 %%, %d beyond 2x.\n"
               " * models/schema.c takes these as its defaults; docs/calibration.md explains them. */\n"
               "#ifndef ECNYSIM_CALIBRATED_H\n#define ECNYSIM_CALIBRATED_H\n\n",
            f, s->within, s->scored, s->beyond2);
    for (int k = 0; k < o->n_p; k++) {
        char macro[160];
        snprintf(macro, sizeof macro, "CAL_%s", o->p[k].key);
        for (char *c = macro; *c; c++)
            *c = *c == '.' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        fprintf(h, o->p[k].money ? "#define %s \"%.2f\"\n" : "#define %s \"%.4g\"\n", macro, tgt_param_value(&o->p[k], x[k]));
    }
    fprintf(h, "\n#endif\n");
    if (fclose(h) != 0 || rename(tmp, path) != 0) {
        err_add(errs, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ ABC ensemble */

#define ABC_SD 0.08 /* the proposal's sd in the log of each key: ~ +-8 % */

/* Draws n points: each key log-normally around the fit (sd ABC_SD in log),
 * runs them, and keeps the plausible ones (history matching):
 * every scored row within its band (2x, or the fit's own miss of the row if
 * wider, times 1.5: the model's discrepancy there) and a loss within 1.5x
 * of the fit's plus 1. The first point is the fit itself. Writes the kept
 * points as the ensemble file. */
bool tgt_abc(tgt_set *T, const tgt_opts *o, const double *x_fit, double f_fit, err_list *errs)
{
    char tmp[4200];
    FILE *out = open_temp(o->posterior_out, tmp, sizeof tmp, errs);
    if (!out)
        return false;
    fprintf(out, "# posterior.csv: an ensemble of plausible behavioural parameter sets (made by `make calibrate`:\n"
                 "# ecnysim targets --abc %d). Approximate Bayesian computation by history matching: %d points\n"
                 "# drawn log-normally (sd %.2f in the log of each key) around the joint fit of\n"
                 "# data/targets.csv, each run over seeds", o->abc, o->abc, ABC_SD);
    for (int s = 0; s < o->n_seeds; s++)
        fprintf(out, "%s%llu", s ? "," : " ", (unsigned long long)o->seeds[s]);
    fprintf(out, "; a point is kept when every scored row is within its band (2x of the published figure,\n"
                 "# or the fit's own miss of it if wider, x 1.5: the model's discrepancy) and its loss is within\n"
                 "# 1.5 x the fit's + 1. weight: 1 for every kept point (equal weights).\n"
                 "# Set 1 is the fit itself (the shipped defaults).\n"
                 "# 'ecnysim run S.ini --ensemble N' runs over these rows (docs/calibration.md).\n");
    fprintf(out, "set,weight");
    for (int k = 0; k < o->n_p; k++)
        fprintf(out, ",%s", o->p[k].key);
    fprintf(out, "\n");
    gsl_rng *r = rng_stream_alloc(20260101, 0, 99);
    double *model = calloc((size_t)T->n, sizeof *model), *at_fit = calloc((size_t)T->n, sizeof *at_fit);
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    int kept = 0;
    bool ok = r && model && at_fit;
    /* the fit itself is the first member */
    for (int i = 0; i < o->abc && ok; i++) {
        double x[TGT_MAX_FIT];
        for (int k = 0; k < o->n_p; k++)
            x[k] = x_fit[k] + (i == 0 ? 0 : ABC_SD * gsl_ran_ugaussian_ratio_method(r));
        int n = tgt_build_sets(o, x, set_text, sets);
        if (!tgt_evaluate(T, o, sets, n, model, errs)) {
            ok = false;
            break;
        }
        double f = tgt_loss(T, model, NULL);
        if (i == 0)
            memcpy(at_fit, model, sizeof(double) * (size_t)T->n);
        /* History matching: a row's band is 2x, or the fit's own miss of it
         * (the model's discrepancy there) widened by 50 %, whichever is wider. */
        bool plausible = f <= 1.5 * f_fit + 1.0;
        for (int t = 0; t < T->n && plausible; t++) {
            if (!tgt_row_scored(&T->row[t]))
                continue;
            double band = fmax(log(2.0), fabs(tgt_log_ratio(at_fit[t], T->row[t].value))) + log(1.5);
            if (fabs(tgt_log_ratio(model[t], T->row[t].value)) > band)
                plausible = false;
        }
        if (!o->quiet) {
            fprintf(stderr, "\r  abc: point %d/%d, loss %.4f, kept %d   ", i + 1, o->abc, f, kept + plausible);
            fflush(stderr);
        }
        if (!plausible)
            continue;
        fprintf(out, "%d,1", ++kept);
        for (int k = 0; k < o->n_p; k++)
            fprintf(out, o->p[k].money ? ",%.2f" : ",%.4g", tgt_param_value(&o->p[k], x[k]));
        fprintf(out, "\n");
    }
    if (!o->quiet)
        fprintf(stderr, "\n");
    gsl_rng_free(r);
    free(model);
    free(at_fit);
    if (fclose(out) != 0 || !ok || kept == 0 || rename(tmp, o->posterior_out) != 0) {
        if (ok && kept == 0)
            err_add(errs, "abc: no point of %d was plausible: the ensemble was not written", o->abc);
        else if (ok)
            err_add(errs, "%s: cannot write: %s", o->posterior_out, strerror(errno));
        remove(tmp);
        return false;
    }
    fprintf(stderr, "ecnysim: %s: %d of %d points kept\n", o->posterior_out, kept, o->abc);
    return true;
}

/* ------------------------------------------------------------ model error */

/* The model's error for one city, per daily.csv column: the weighted root
 * mean square of log(model / published) over the scored rows of single
 * areas (not 'all': a batch's KPI and bands are a city's; a national sum
 * averages cities' errors out) whose metric is that column, or starts with
 * it ('wallets+public_wallets' counts for wallets). Columns with fewer than
 * TGT_MODEL_ERROR_MIN_ROWS rows have none. Rows the model gives 0 are left
 * out (their log ratio is unbounded); none of the shipped rows is one. */
#define TGT_MODEL_ERROR_MIN_ROWS 3

/* A scored row of one area's daily.csv figures (not national, not a campaign outcome). */
static bool single_area_row(const tgt_row *r)
{
    return tgt_row_scored(r) && r->weight > 0 && !r->outcome[0] && strcmp(r->area, "all") != 0;
}

static bool counts_for_error(const tgt_row *r, double model)
{
    return single_area_row(r) && model > 0;
}

static void error_column(const tgt_row *r, char *out, size_t len)
{
    snprintf(out, len, "%.*s", (int)strcspn(r->metric, "+"), r->metric);
}

/* The error's sd of column col over the rows counting for it, leaving out
 * skip_area's (NULL: none); *rows how many; *bias their weighted mean log
 * ratio (NULL: not wanted). 0 when there are too few rows. */
static double error_sd(const tgt_set *T, const double *model, const char *col, const char *skip_area, int *rows,
                       double *bias)
{
    double ss = 0, ws = 0, sum = 0;
    *rows = 0;
    for (int i = 0; i < T->n; i++) {
        const tgt_row *r = &T->row[i];
        char c[64];
        error_column(r, c, sizeof c);
        if (!counts_for_error(r, model[i]) || strcmp(c, col) != 0 || (skip_area && strcmp(r->area, skip_area) == 0))
            continue;
        double d = tgt_log_ratio(model[i], r->value);
        ss += r->weight * d * d;
        sum += r->weight * d;
        ws += r->weight;
        (*rows)++;
    }
    if (bias)
        *bias = ws > 0 ? sum / ws : 0;
    return *rows >= TGT_MODEL_ERROR_MIN_ROWS ? sqrt(ss / ws) : 0.0;
}

/* Printed to `to`, and written as PATH when it is not NULL (a batch reads
 * data_dir/model_error.csv). */
bool tgt_write_model_error(const char *path, const tgt_set *T, const double *model, FILE *to, err_list *errs)
{
    char col[TGT_MAX_ROWS][64];
    int n_col = 0;
    for (int i = 0; i < T->n; i++) {
        char c[64];
        error_column(&T->row[i], c, sizeof c);
        int k = 0;
        while (k < n_col && strcmp(col[k], c) != 0)
            k++;
        if (k == n_col && counts_for_error(&T->row[i], model[i]))
            snprintf(col[n_col++], sizeof col[0], "%s", c);
    }
    char tmp[4200];
    FILE *out = path ? open_temp(path, tmp, sizeof tmp, errs) : NULL;
    if (path && !out)
        return false;
    if (out)
        fprintf(out,
                "# model_error.csv: how far the model is from the published figures of one area, per\n"
                "# daily.csv column: sd_log, the weighted root mean square of log(model / published) over\n"
                "# the scored rows of single areas in %s with the shipped defaults (and any\n"
                "# --set or --fit of the command that wrote it), and rows,\n"
                "# how many (the error is a Student t with that many degrees of freedom: the sd is itself\n"
                "# an estimate; bias: the rows' weighted mean, kept in the error, not corrected). A batch\n"
                "# widens its bands with it (summary.csv *_with_model_error, kpi_summary.csv). Made by\n"
                "# `make calibrate` (ecnysim targets --model-error); docs/calibration.md.\n"
                "metric,rows,sd_log,factor,bias_log\n",
                T->path);
    fprintf(to, "\nmodel error of one area (%s):\n%-24s %5s %7s %7s %8s\n",
            path ? path : "what --model-error FILE would write", "metric", "rows", "sd_log", "factor", "bias_log");
    int written = 0;
    for (int c = 0; c < n_col; c++) {
        int rows;
        double b, sd = error_sd(T, model, col[c], NULL, &rows, &b);
        if (sd <= 0)
            continue;
        /* what a batch accepts (cli/model_error.c): outside it, say so and leave the column out */
        if (sd < 1e-6 || sd > 10) {
            fprintf(stderr, "ecnysim: warning: the model error of '%s' is %g, outside 1e-6..10: left out\n", col[c],
                    sd);
            continue;
        }
        if (out)
            fprintf(out, "%s,%d,%.6g,%.4g,%.4g\n", col[c], rows, sd, exp(sd), b);
        fprintf(to, "%-24s %5d %7.4f %7.3f %8.4f\n", col[c], rows, sd, exp(sd), b);
        written++;
    }
    if (written == 0 && path)
        fprintf(stderr, "ecnysim: warning: %s has no metric (no column has %d scored rows of single areas): "
                        "batches using it will have no model error\n",
                path, TGT_MODEL_ERROR_MIN_ROWS);
    if (out && (fclose(out) != 0 || rename(tmp, path) != 0)) {
        err_add(errs, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ leave one area out */

void tgt_loao(tgt_set *T, const tgt_opts *o, const double *x_fit, FILE *to, FILE *md, err_list *errs)
{
    char areas[64][256];
    int n_areas = 0;
    for (int i = 0; i < T->n; i++) {
        bool seen = false;
        for (int a = 0; a < n_areas; a++)
            seen |= strcmp(areas[a], T->row[i].area) == 0;
        if (!seen && n_areas < 64)
            snprintf(areas[n_areas++], 256, "%s", T->row[i].area);
    }
    bool *include = calloc((size_t)T->n, sizeof *include);
    double *model = calloc((size_t)T->n, sizeof *model);
    if (!include || !model) {
        free(include);
        free(model);
        return;
    }
    fprintf(to, "\nleave one area out: refit without the area's rows (%d evaluations from the joint fit), "
                "predict them\n(in 90%% band: held-out rows inside the model-error band a batch would give them, "
                "the t band of the other areas' errors)\n%-16s %5s %12s %12s %12s %12s\n",
            o->loao_evals, "area", "rows", "in-fit |log|", "held |log|", "within 25%", "in 90% band");
    if (md)
        fprintf(md, "\n| held-out area | rows | mean abs log ratio, in the joint fit | held out | rows within +-25 %% "
                    "held out | held out in the 90 %% model-error band |\n"
                    "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    int band_in = 0, band_rows = 0;
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    int n = tgt_build_sets(o, x_fit, set_text, sets);
    double *joint = calloc((size_t)T->n, sizeof *joint);
    if (!joint || !tgt_evaluate(T, o, sets, n, joint, errs)) {
        free(joint);
        free(include);
        free(model);
        return;
    }
    for (int a = 0; a < n_areas; a++) {
        int rows = 0;
        for (int i = 0; i < T->n; i++) {
            include[i] = strcmp(T->row[i].area, areas[a]) != 0;
            rows += !include[i] && tgt_row_scored(&T->row[i]);
        }
        if (rows == 0)
            continue;
        double x[TGT_MAX_FIT];
        memcpy(x, x_fit, sizeof(double) * (size_t)o->n_p);
        tgt_opts quiet = *o;
        quiet.quiet = true;
        if (!tgt_fit(T, &quiet, include, o->loao_evals, 0.2, x, errs))
            break;
        n = tgt_build_sets(o, x, set_text, sets);
        if (!tgt_evaluate(T, o, sets, n, model, errs))
            break;
        double in_fit = 0, held = 0;
        int within = 0, in_band = 0, banded = 0;
        for (int i = 0; i < T->n; i++) {
            if (include[i] || !tgt_row_scored(&T->row[i]))
                continue;
            in_fit += fabs(tgt_log_ratio(joint[i], T->row[i].value));
            double l = fabs(tgt_log_ratio(model[i], T->row[i].value));
            held += l;
            within += l <= log(1.25) && model[i] / T->row[i].value >= 0.75;
            /* the band a batch would give it, its sd from the other areas alone */
            char col[64];
            int n_err;
            error_column(&T->row[i], col, sizeof col);
            /* a held-out row the model gives 0 is outside any band: counted, not dropped */
            double sd = single_area_row(&T->row[i]) ? error_sd(T, joint, col, areas[a], &n_err, NULL) : 0;
            if (sd > 0) {
                banded++;
                in_band += model[i] > 0 && l <= gsl_cdf_tdist_Pinv(0.95, n_err) * sd;
            }
        }
        band_in += in_band;
        band_rows += banded;
        char band[32] = "-";
        if (banded)
            snprintf(band, sizeof band, "%d/%d", in_band, banded);
        const char *label =
            strcmp(areas[a], "hangzhou+ningbo+wenzhou+huzhou+shaoxing+jinhua") == 0 ? "zhejiang (6)" : areas[a];
        fprintf(to, "%-16s %5d %12.3f %12.3f %9d/%d %12s\n", label, rows, in_fit / rows, held / rows, within, rows,
                band);
        if (md)
            fprintf(md, "| %s | %d | %.3f | %.3f | %d of %d | %s |\n", label, rows, in_fit / rows, held / rows, within,
                    rows, band);
        fflush(to);
    }
    if (band_rows) {
        fprintf(to, "held-out rows of single areas inside the 90%% model-error band: %d of %d (%.0f %%)\n", band_in,
                band_rows, 100.0 * band_in / band_rows);
        if (md)
            fprintf(md, "\nHeld-out rows of single areas inside the 90 %% model-error band: %d of %d.\n", band_in,
                    band_rows);
    }
    free(joint);
    free(include);
    free(model);
}
