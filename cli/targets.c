/* targets.c: 'ecnysim targets': the model against every published
 * figure of data/targets.csv, the joint fit of the behavioural defaults,
 * the leave-one-area-out check and the parameter ensemble (ABC).
 *
 * A target row names a scenario, the areas (city sections, or 'all') and
 * daily.csv columns it sums, a level on a date or a sum over a period, and
 * the published value. Each (scenario, seed) is run once in memory (no
 * results folder) and every row is read off the daily frames as they pass:
 * one run serves every row of its scenario. Seeds run in parallel processes
 * (--jobs) that send their row values back through a pipe, so the table is
 * the same whatever the number of jobs. The model value of a row is the mean
 * over the seeds.
 *
 * The fit (--fit k1,k2,...) minimises sum over rows of weight x log(model /
 * published)^2, a scale-free loss that weighs a 2x miss of a small city like
 * one of the nation, by a pattern search in log space of the keys
 * (kept inside the schema's ranges), common random numbers (the same seeds
 * at every point). --write-defaults FILE writes the fitted values as the
 * header models/calibrated.h that the schema's defaults come from.
 * --loao refits without each area's rows in turn (from the full fit, a
 * bounded number of evaluations) and predicts them. --abc N draws N points
 * around the fit, keeps those whose rows are all plausible (history
 * matching: |log ratio| within a discrepancy band), and writes them as the
 * ensemble data/posterior.csv.
 *
 * Exit status: 0 when the pass rule holds (at least 90 % of the rows that
 * are not 'uncertain' within +-25 % and none beyond 2x), 1 when it does not
 * or a run failed, 2 for bad usage or a bad targets file.
 */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "sim/calendar.h"
#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/table.h"

#define TGT_MAX_ROWS 512
#define TGT_MAX_SCENARIOS 8
#define TGT_MAX_PARTS 16
#define TGT_MAX_FIT 24
#define TGT_MAX_SEEDS 16
#define TGT_MAX_SETS 64

typedef struct {
    char id[64], area[256], scenario[256], metric[256], confidence[16], note[256], source[256];
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
    const char *write_defaults, *posterior_out, *markdown_out;
} tgt_opts;

/* ------------------------------------------------------------ targets file */

static const char *const required_columns[] = {"id",    "area",       "scenario", "metric", "kind",  "date_from",
                                               "date_to", "value",    "confidence", "weight", "source", "note"};

static bool load_targets(const char *path, tgt_set *T, err_list *errs)
{
    tab_table *t = tab_read(path, required_columns, sizeof required_columns / sizeof *required_columns, errs);
    if (!t)
        return false;
    T->n = 0;
    T->n_scenarios = 0;
    int before = errs->count;
    for (size_t r = 0; r < tab_rows(t); r++) {
        if (T->n == TGT_MAX_ROWS) {
            err_add(errs, "%s:%d: more than %d target rows: expected at most that many", path, tab_line(t, r),
                    TGT_MAX_ROWS);
            break;
        }
        tgt_row *row = &T->row[T->n];
        memset(row, 0, sizeof *row);
        snprintf(row->id, sizeof row->id, "%s", tab_get(t, r, "id"));
        snprintf(row->area, sizeof row->area, "%s", tab_get(t, r, "area"));
        snprintf(row->scenario, sizeof row->scenario, "%s", tab_get(t, r, "scenario"));
        snprintf(row->metric, sizeof row->metric, "%s", tab_get(t, r, "metric"));
        snprintf(row->confidence, sizeof row->confidence, "%s", tab_get(t, r, "confidence"));
        snprintf(row->note, sizeof row->note, "%s", tab_get(t, r, "note"));
        snprintf(row->source, sizeof row->source, "%s", tab_get(t, r, "source"));
        const char *kind = tab_get(t, r, "kind");
        if (strcmp(kind, "sum") == 0)
            row->sum = true;
        else if (strcmp(kind, "level") != 0)
            err_add(errs, "%s:%d: column 'kind' is '%s': expected level or sum", path, tab_line(t, r), kind);
        const char *conf = row->confidence;
        if (strcmp(conf, "official") && strcmp(conf, "press") && strcmp(conf, "derived") && strcmp(conf, "uncertain"))
            err_add(errs, "%s:%d: column 'confidence' is '%s': expected official, press, derived or uncertain", path,
                    tab_line(t, r), conf);
        if (!row->id[0] || !row->area[0] || !row->scenario[0] || !row->metric[0])
            err_add(errs, "%s:%d: id, area, scenario and metric must not be empty", path, tab_line(t, r));
        row->day_from = INT32_MIN;
        if (tab_get(t, r, "date_from")[0])
            tab_date(t, r, "date_from", &row->day_from, errs);
        tab_date(t, r, "date_to", &row->day_to, errs);
        tab_real(t, r, "value", 1e-9, 1e18, &row->value, errs);
        tab_real(t, r, "weight", 0, 1000, &row->weight, errs);
        if (!row->sum && row->day_from != INT32_MIN)
            err_add(errs, "%s:%d: a level row has a date_from: expected it empty (a level is read on date_to)",
                    path, tab_line(t, r));
        int g = -1;
        for (int k = 0; k < T->n_scenarios; k++)
            if (strcmp(T->scenario[k], row->scenario) == 0)
                g = k;
        if (g < 0) {
            if (T->n_scenarios == TGT_MAX_SCENARIOS) {
                err_add(errs, "%s:%d: more than %d scenarios: expected at most that many", path, tab_line(t, r),
                        TGT_MAX_SCENARIOS);
                continue;
            }
            g = T->n_scenarios++;
            memcpy(T->scenario[g], row->scenario, sizeof T->scenario[g]);
        }
        row->group = g;
        T->n++;
    }
    tab_free(t);
    if (T->n == 0 && errs->count == before)
        err_add(errs, "%s: no target rows: expected at least one", path);
    return errs->count == before;
}

/* Splits s at '+' into parts; false when there are too many. */
static int split_plus(const char *s, char parts[][128], int max)
{
    int n = 0;
    const char *p = s;
    while (*p && n < max) {
        const char *e = strchr(p, '+');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(parts[n++], 128, "%.*s", (int)(len < 127 ? len : 127), p);
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

static bool resolve_row(tgt_row *row, const snap_table *daily, const char *path, err_list *errs)
{
    char parts[TGT_MAX_PARTS][128];
    int n = split_plus(row->metric, parts, TGT_MAX_PARTS);
    row->n_cols = 0;
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int c = 0; c < daily->n_columns; c++)
            if (strcmp(daily->column[c], parts[i]) == 0)
                found = c;
        if (found < 0) {
            err_add(errs, "%s: row '%s': metric '%s' is not a column of daily.csv", path, row->id, parts[i]);
            return false;
        }
        size_t len = strlen(parts[i]);
        row->fen[row->n_cols] = len > 4 && strcmp(parts[i] + len - 4, "_fen") == 0;
        row->col[row->n_cols++] = found;
    }
    row->n_cities = 0;
    if (strcmp(row->area, "all") == 0) {
        for (int r = 0; r < daily->n_rows && r < 64; r++)
            row->city[row->n_cities++] = r;
    } else {
        char areas[64][128];
        int na = split_plus(row->area, areas, 64);
        for (int i = 0; i < na; i++) {
            int found = -1;
            for (int r = 0; r < daily->n_rows; r++)
                if (strcmp(daily->row_city[r], areas[i]) == 0)
                    found = r;
            if (found < 0) {
                err_add(errs, "%s: row '%s': area '%s' is not a [city] of %s", path, row->id, areas[i],
                        row->scenario);
                return false;
            }
            row->city[row->n_cities++] = found;
        }
    }
    row->resolved = true;
    return true;
}

/* ------------------------------------------------------------ one run in memory */

static dat_set *cached_data;
static char cached_data_dir[4096];

/* Runs scenario group g of T with the overrides and seed, adding every row
 * of the group into out[row] (rows of other groups untouched). */
static bool run_group(tgt_set *T, int g, const char *const *sets, int n_sets, uint64_t seed, double *out,
                      err_list *errs)
{
    const char *all[TGT_MAX_SETS + 2];
    char seed_set[64];
    int n = 0;
    for (int i = 0; i < n_sets && n < TGT_MAX_SETS; i++)
        all[n++] = sets[i];
    snprintf(seed_set, sizeof seed_set, "scenario.seed=%llu", (unsigned long long)seed);
    all[n++] = seed_set;
    scn_doc *doc = scn_load(&ecny_schema, T->scenario[g], all, n, errs);
    if (!doc)
        return false;
    char located[4096];
    const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                 sizeof located);
    if (!cached_data || strcmp(cached_data_dir, dir) != 0) {
        free(cached_data);
        cached_data = malloc(sizeof *cached_data);
        if (!cached_data || !dat_load(dir, cached_data, errs)) {
            free(cached_data);
            cached_data = NULL;
            scn_free(doc);
            return false;
        }
        snprintf(cached_data_dir, sizeof cached_data_dir, "%s", dir);
    }
    wld_world *w = wld_create(doc, cached_data, errs);
    eng_engine *eng = w ? eng_alloc(wld_start_day(w), wld_days(w), 4096, (size_t)1 << 30) : NULL;
    bool ok = w && eng && wld_attach(w, eng);
    if (!ok && w)
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up %s", T->scenario[g]);
    int32_t start = w ? wld_start_day(w) : 0;
    while (ok && !eng_finished(eng)) {
        if (!eng_step_day(eng) || eng_failed(eng)) {
            err_add(errs, "%s (seed %llu): %s", T->scenario[g], (unsigned long long)seed,
                    eng_failed(eng) ? eng_failed(eng) : "the run failed");
            ok = false;
            break;
        }
        const snap_frame *f = wld_frame(w);
        const snap_table *daily = &f->table[0];
        for (int i = 0; i < T->n; i++) {
            tgt_row *row = &T->row[i];
            if (row->group != g)
                continue;
            if (!row->resolved && !resolve_row(row, daily, T->scenario[g], errs)) {
                ok = false;
                break;
            }
            int32_t from = row->day_from == INT32_MIN ? start : row->day_from;
            bool take = row->sum ? (f->day >= from && f->day <= row->day_to) : f->day == row->day_to;
            if (!take)
                continue;
            double v = 0;
            for (int k = 0; k < row->n_cities; k++)
                for (int c = 0; c < row->n_cols; c++) {
                    double x = (double)daily->value[(size_t)row->city[k] * daily->n_columns + row->col[c]];
                    v += row->fen[c] ? x / 100.0 : x;
                }
            out[i] += v;
        }
    }
    eng_free(eng);
    wld_free(w);
    scn_free(doc);
    return ok;
}

/* Every (group, seed) run, up to jobs at a time in child processes; model[i]
 * is the mean over the seeds. */
static bool evaluate(tgt_set *T, const tgt_opts *o, const char *const *sets, int n_sets, double *model,
                     err_list *errs)
{
    int n_runs = T->n_scenarios * o->n_seeds;
    double *acc = calloc((size_t)T->n * (size_t)n_runs, sizeof *acc);
    if (!acc) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    bool ok = true;
    if (o->jobs <= 1) {
        for (int r = 0; r < n_runs && ok; r++)
            ok = run_group(T, r / o->n_seeds, sets, n_sets, o->seeds[r % o->n_seeds], acc + (size_t)r * T->n, errs);
    } else {
        int next = 0, running = 0;
        pid_t pid[256];
        int fd[256];
        for (int r = 0; r < n_runs; r++)
            pid[r] = -1;
        while ((next < n_runs || running > 0) && n_runs <= 256) {
            while (running < o->jobs && next < n_runs) {
                int p[2];
                if (pipe(p) != 0) {
                    err_add(errs, "cannot create a pipe: %s", strerror(errno));
                    ok = false;
                    next = n_runs;
                    break;
                }
                fflush(NULL);
                pid_t child = fork();
                if (child == 0) {
                    close(p[0]);
                    err_list *e = malloc(sizeof *e);
                    if (!e)
                        _exit(3);
                    err_init(e);
                    double *mine = acc + (size_t)next * T->n;
                    bool done = run_group(T, next / o->n_seeds, sets, n_sets, o->seeds[next % o->n_seeds], mine, e);
                    if (!done) {
                        err_print(e, stderr);
                        _exit(1);
                    }
                    size_t bytes = (size_t)T->n * sizeof *mine;
                    const char *b = (const char *)mine;
                    while (bytes > 0) {
                        ssize_t k = write(p[1], b, bytes);
                        if (k <= 0)
                            _exit(1);
                        b += k;
                        bytes -= (size_t)k;
                    }
                    _exit(0);
                }
                close(p[1]);
                if (child < 0) {
                    close(p[0]);
                    err_add(errs, "cannot fork: %s", strerror(errno));
                    ok = false;
                    next = n_runs;
                    break;
                }
                pid[next] = child;
                fd[next] = p[0];
                next++;
                running++;
            }
            /* collect the oldest running child: read its values, then reap it */
            for (int r = 0; r < n_runs; r++) {
                if (pid[r] <= 0)
                    continue;
                char *b = (char *)(acc + (size_t)r * T->n);
                size_t bytes = (size_t)T->n * sizeof(double), got = 0;
                while (got < bytes) {
                    ssize_t k = read(fd[r], b + got, bytes - got);
                    if (k <= 0)
                        break;
                    got += (size_t)k;
                }
                close(fd[r]);
                int st = 0;
                waitpid(pid[r], &st, 0);
                if (got != bytes || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                    if (ok)
                        err_add(errs, "a run of %s (seed %llu) failed", T->scenario[r / o->n_seeds],
                                (unsigned long long)o->seeds[r % o->n_seeds]);
                    ok = false;
                }
                pid[r] = 0;
                running--;
                break;
            }
        }
        /* rows resolve in the children: resolve here too, for names in messages */
        for (int i = 0; i < T->n; i++)
            T->row[i].resolved = false;
    }
    for (int i = 0; i < T->n && ok; i++) {
        double s = 0;
        for (int k = 0; k < o->n_seeds; k++)
            s += acc[(size_t)(T->row[i].group * o->n_seeds + k) * T->n + i];
        model[i] = s / o->n_seeds;
    }
    free(acc);
    return ok;
}

/* ------------------------------------------------------------ scoring */

static bool row_scored(const tgt_row *r)
{
    return strcmp(r->confidence, "uncertain") != 0;
}

static double log_ratio(double model, double published)
{
    return log(fmax(model, published * 1e-6) / published);
}

/* Weighted squared log-ratio over rows with include[i] (NULL: all). */
static double loss(const tgt_set *T, const double *model, const bool *include)
{
    double s = 0;
    for (int i = 0; i < T->n; i++) {
        if (include && !include[i])
            continue;
        double l = log_ratio(model[i], T->row[i].value);
        s += T->row[i].weight * l * l;
    }
    return s;
}

typedef struct {
    int scored, within, beyond2;
    double worst;
    int worst_row;
} tgt_summary;

static tgt_summary summarise(const tgt_set *T, const double *model)
{
    tgt_summary s = {0, 0, 0, 1, -1};
    for (int i = 0; i < T->n; i++) {
        if (!row_scored(&T->row[i]))
            continue;
        double r = model[i] / T->row[i].value;
        s.scored++;
        s.within += r >= 0.75 && r <= 1.25;
        s.beyond2 += r > 2 || r < 0.5;
        double far = r >= 1 ? r : (r > 0 ? 1 / r : 1e9);
        if (far > s.worst) {
            s.worst = far;
            s.worst_row = i;
        }
    }
    return s;
}

static bool passes(tgt_summary s)
{
    return s.scored > 0 && s.within * 10 >= s.scored * 9 && s.beyond2 == 0;
}

static void print_table(FILE *to, const tgt_set *T, const double *model, bool markdown)
{
    if (markdown)
        fprintf(to, "| id | area | model | published | ratio | confidence | |\n| --- | --- | ---: | ---: | ---: | --- | --- |\n");
    else
        fprintf(to, "%-28s %-14s %16s %16s %7s  %-10s\n", "target", "area", "model", "published", "ratio",
                "confidence");
    for (int i = 0; i < T->n; i++) {
        const tgt_row *r = &T->row[i];
        double ratio = model[i] / r->value;
        const char *mark = !row_scored(r) ? "info" : ratio >= 0.75 && ratio <= 1.25 ? "ok" : ratio > 2 || ratio < 0.5 ? "MISS >2x" : "miss";
        char area[15];
        snprintf(area, sizeof area, "%s", strcmp(r->area, "hangzhou+ningbo+wenzhou+huzhou+shaoxing+jinhua") == 0 ? "zhejiang (6)" : r->area);
        if (markdown)
            fprintf(to, "| %s | %s | %.4g | %.4g | %.2f | %s | %s |\n", r->id, area, model[i], r->value, ratio,
                    r->confidence, mark);
        else
            fprintf(to, "%-28s %-14s %16.0f %16.0f %7.2f  %-10s %s\n", r->id, area, model[i], r->value, ratio,
                    r->confidence, mark);
    }
}

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

static double param_value(const tgt_param *p, double x)
{
    double v = fmin(p->hi, fmax(p->lo, p->start * exp(x)));
    return p->integer ? round(v) : p->money ? round(v * 100.0) / 100.0 : v;
}

static int build_sets(const tgt_opts *o, const double *x, char (*text)[192], const char **sets)
{
    int n = 0;
    for (int i = 0; i < o->n_sets; i++)
        sets[n++] = o->sets[i];
    for (int k = 0; k < o->n_p; k++) {
        snprintf(text[k], 192, o->p[k].integer ? "%s=%.0f" : o->p[k].money ? "%s=%.2f" : "%s=%.6g", o->p[k].key,
                 x ? param_value(&o->p[k], x[k]) : o->p[k].start);
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
    int n = build_sets(c->o, x, c->set_text, c->sets);
    if (!evaluate(c->T, c->o, c->sets, n, c->model, c->errs)) {
        c->failed = true;
        return 1e30;
    }
    double f = loss(c->T, c->model, c->include) + penalty;
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
static bool fit(tgt_set *T, const tgt_opts *o, const bool *include, int max_evals, double step, double *x,
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

static bool add_params(tgt_opts *o, const char *list)
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

static bool write_defaults(const char *path, const tgt_opts *o, const double *x, double f, const tgt_summary *s,
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
        fprintf(h, o->p[k].money ? "#define %s \"%.2f\"\n" : "#define %s \"%.4g\"\n", macro, param_value(&o->p[k], x[k]));
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
static bool abc(tgt_set *T, const tgt_opts *o, const double *x_fit, double f_fit, err_list *errs)
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
        int n = build_sets(o, x, set_text, sets);
        if (!evaluate(T, o, sets, n, model, errs)) {
            ok = false;
            break;
        }
        double f = loss(T, model, NULL);
        if (i == 0)
            memcpy(at_fit, model, sizeof(double) * (size_t)T->n);
        /* History matching: a row's band is 2x, or the fit's own miss of it
         * (the model's discrepancy there) widened by 50 %, whichever is wider. */
        bool plausible = f <= 1.5 * f_fit + 1.0;
        for (int t = 0; t < T->n && plausible; t++) {
            if (!row_scored(&T->row[t]))
                continue;
            double band = fmax(log(2.0), fabs(log_ratio(at_fit[t], T->row[t].value))) + log(1.5);
            if (fabs(log_ratio(model[t], T->row[t].value)) > band)
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
            fprintf(out, o->p[k].money ? ",%.2f" : ",%.4g", param_value(&o->p[k], x[k]));
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

/* ------------------------------------------------------------ leave one area out */

static void loao(tgt_set *T, const tgt_opts *o, const double *x_fit, FILE *to, FILE *md, err_list *errs)
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
                "predict them\n%-16s %5s %12s %12s %12s\n", o->loao_evals, "area", "rows", "in-fit |log|",
            "held |log|", "within 25%");
    if (md)
        fprintf(md, "\n| held-out area | rows | mean abs log ratio, in the joint fit | held out | rows within +-25 %% held out |\n| --- | ---: | ---: | ---: | ---: |\n");
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    int n = build_sets(o, x_fit, set_text, sets);
    double *joint = calloc((size_t)T->n, sizeof *joint);
    if (!joint || !evaluate(T, o, sets, n, joint, errs)) {
        free(joint);
        free(include);
        free(model);
        return;
    }
    for (int a = 0; a < n_areas; a++) {
        int rows = 0;
        for (int i = 0; i < T->n; i++) {
            include[i] = strcmp(T->row[i].area, areas[a]) != 0;
            rows += !include[i] && row_scored(&T->row[i]);
        }
        if (rows == 0)
            continue;
        double x[TGT_MAX_FIT];
        memcpy(x, x_fit, sizeof(double) * (size_t)o->n_p);
        tgt_opts quiet = *o;
        quiet.quiet = true;
        if (!fit(T, &quiet, include, o->loao_evals, 0.2, x, errs))
            break;
        n = build_sets(o, x, set_text, sets);
        if (!evaluate(T, o, sets, n, model, errs))
            break;
        double in_fit = 0, held = 0;
        int within = 0;
        for (int i = 0; i < T->n; i++) {
            if (include[i] || !row_scored(&T->row[i]))
                continue;
            in_fit += fabs(log_ratio(joint[i], T->row[i].value));
            double l = fabs(log_ratio(model[i], T->row[i].value));
            held += l;
            within += l <= log(1.25) && model[i] / T->row[i].value >= 0.75;
        }
        const char *label = strcmp(areas[a], "hangzhou+ningbo+wenzhou+huzhou+shaoxing+jinhua") == 0 ? "zhejiang (6)" : areas[a];
        fprintf(to, "%-16s %5d %12.3f %12.3f %9d/%d\n", label, rows, in_fit / rows, held / rows, within, rows);
        if (md)
            fprintf(md, "| %s | %d | %.3f | %.3f | %d of %d |\n", label, rows, in_fit / rows, held / rows, within, rows);
        fflush(to);
    }
    free(joint);
    free(include);
    free(model);
}

/* ------------------------------------------------------------ the command */

static void usage(FILE *to)
{
    fprintf(to, "usage: ecnysim targets [--targets FILE] [--seeds 1,2,3] [--jobs J] [--set section.key=value]...\n"
                "                       [--fit section.key,... [--max-evals N] [--step S] [--write-defaults FILE]]\n"
                "                       [--loao [--loao-evals N]] [--abc N --posterior FILE] [--markdown FILE] [--quiet]\n"
                "  Runs the scenarios named in the targets file (default data/targets.csv) and prints every\n"
                "  published figure beside the model's (mean over the seeds). Exit 0 when at least 90 %% of\n"
                "  the rows that are not 'uncertain' are within +-25 %% and none is beyond 2x, else 1.\n"
                "  --fit: joint fit of the keys (weighted squared log ratio, pattern search, common seeds);\n"
                "  --loao: leave-one-area-out refits and predictions; --abc N: an ensemble of plausible\n"
                "  parameter sets around the fit (history matching), written to --posterior FILE.\n");
}

static bool parse_seeds(const char *s, tgt_opts *o)
{
    o->n_seeds = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *end;
        unsigned long long v = strtoull(tok, &end, 10);
        if (*end || end == tok || o->n_seeds == TGT_MAX_SEEDS)
            return false;
        o->seeds[o->n_seeds++] = v;
    }
    return o->n_seeds > 0;
}

int cli_targets(int argc, char **argv)
{
    static tgt_set T;
    tgt_opts o = {0};
    o.targets_path = "data/targets.csv";
    o.seeds[0] = 1;
    o.seeds[1] = 2;
    o.seeds[2] = 3;
    o.n_seeds = 3;
    o.max_evals = 300;
    o.jobs = 1;
    o.loao_evals = 40;
    o.step = 0.7;
    const char *fit_list = NULL;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool needs = strcmp(s, "--targets") == 0 || strcmp(s, "--seeds") == 0 || strcmp(s, "--set") == 0 ||
                     strcmp(s, "--fit") == 0 || strcmp(s, "--max-evals") == 0 || strcmp(s, "--jobs") == 0 ||
                     strcmp(s, "--write-defaults") == 0 || strcmp(s, "--abc") == 0 ||
                     strcmp(s, "--posterior") == 0 || strcmp(s, "--markdown") == 0 || strcmp(s, "--loao-evals") == 0 ||
                     strcmp(s, "--step") == 0;
        if (needs && !next) {
            fprintf(stderr, "ecnysim: targets: %s needs a value\n", s);
            usage(stderr);
            return EXIT_BADINPUT;
        }
        char *end = NULL;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(s, "--targets") == 0) {
            o.targets_path = argv[++i];
        } else if (strcmp(s, "--seeds") == 0) {
            if (!parse_seeds(argv[++i], &o)) {
                fprintf(stderr, "ecnysim: targets: --seeds '%s': expected a list like 1,2,3 (at most %d)\n", argv[i],
                        TGT_MAX_SEEDS);
                return EXIT_BADINPUT;
            }
        } else if (strcmp(s, "--set") == 0) {
            if (o.n_sets == TGT_MAX_SETS) {
                fprintf(stderr, "ecnysim: targets: more than %d --set: expected at most that many\n", TGT_MAX_SETS);
                return EXIT_BADINPUT;
            }
            o.sets[o.n_sets++] = argv[++i];
        } else if (strcmp(s, "--fit") == 0) {
            fit_list = argv[++i];
        } else if (strcmp(s, "--max-evals") == 0 || strcmp(s, "--jobs") == 0 || strcmp(s, "--abc") == 0 ||
                   strcmp(s, "--loao-evals") == 0) {
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 100000) {
                fprintf(stderr, "ecnysim: targets: %s '%s': expected a whole number from 1 to 100000\n", s, argv[i]);
                return EXIT_BADINPUT;
            }
            if (strcmp(s, "--max-evals") == 0)
                o.max_evals = (int)v;
            else if (strcmp(s, "--jobs") == 0)
                o.jobs = (int)(v > 64 ? 64 : v);
            else if (strcmp(s, "--abc") == 0)
                o.abc = (int)v;
            else
                o.loao_evals = (int)v;
        } else if (strcmp(s, "--step") == 0) {
            double v = strtod(argv[++i], &end);
            if (*end || !(v >= 0.02 && v <= 3)) {
                fprintf(stderr, "ecnysim: targets: --step '%s': expected a number from 0.02 to 3 (log units)\n", argv[i]);
                return EXIT_BADINPUT;
            }
            o.step = v;
        } else if (strcmp(s, "--write-defaults") == 0) {
            o.write_defaults = argv[++i];
        } else if (strcmp(s, "--posterior") == 0) {
            o.posterior_out = argv[++i];
        } else if (strcmp(s, "--markdown") == 0) {
            o.markdown_out = argv[++i];
        } else if (strcmp(s, "--loao") == 0) {
            o.loao = true;
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            o.quiet = true;
        } else {
            fprintf(stderr, "ecnysim: targets: unknown option '%s'\n", s);
            usage(stderr);
            return EXIT_BADINPUT;
        }
    }
    if (fit_list && !add_params(&o, fit_list))
        return EXIT_BADINPUT;
    if ((o.write_defaults || o.abc || o.loao) && o.n_p == 0) {
        fprintf(stderr, "ecnysim: targets: --write-defaults, --abc and --loao need --fit KEYS\n");
        return EXIT_BADINPUT;
    }
    if (o.abc && !o.posterior_out) {
        fprintf(stderr, "ecnysim: targets: --abc needs --posterior FILE\n");
        return EXIT_BADINPUT;
    }
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return EXIT_RUNTIME;
    err_init(errs);
    if (!load_targets(o.targets_path, &T, errs)) {
        err_print(errs, stderr);
        int status = CLI_STATUS_OF(errs);
        free(errs);
        return status;
    }
    double x[TGT_MAX_FIT] = {0};
    int status = EXIT_OK;
    if (o.n_p > 0 && o.max_evals > 1 && !fit(&T, &o, NULL, o.max_evals, o.step, x, errs))
        status = EXIT_RUNTIME;
    double *model = calloc((size_t)T.n, sizeof *model);
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    int n = build_sets(&o, o.n_p ? x : NULL, set_text, sets);
    if (status == EXIT_OK && (!model || !evaluate(&T, &o, sets, n, model, errs)))
        status = EXIT_RUNTIME;
    if (status != EXIT_OK) {
        err_print(errs, stderr);
        free(model);
        free(errs);
        return status;
    }
    print_table(stdout, &T, model, false);
    tgt_summary s = summarise(&T, model);
    double f = loss(&T, model, NULL);
    printf("\n%d of %d scored rows within +-25 %% (%.0f %%), %d beyond 2x; worst %s at %.2fx; loss %.4f "
           "(%d rows, %d uncertain shown only)\n",
           s.within, s.scored, 100.0 * s.within / (s.scored ? s.scored : 1), s.beyond2,
           s.worst_row >= 0 ? T.row[s.worst_row].id : "-", s.worst, f, T.n, T.n - s.scored);
    if (o.n_p) {
        printf("fitted:");
        for (int k = 0; k < o.n_p; k++)
            printf(o.p[k].money ? " %s=%.2f" : " %s=%.4g", o.p[k].key, param_value(&o.p[k], x[k]));
        printf("\n");
    }
    FILE *md = o.markdown_out ? fopen(o.markdown_out, "w") : NULL;
    if (md) {
        fprintf(md, "# The model beside every figure of data/targets.csv\n\nGenerated by `make calibrate` "
                    "(`ecnysim targets --seeds");
        for (int k = 0; k < o.n_seeds; k++)
            fprintf(md, "%s%llu", k ? "," : " ", (unsigned long long)o.seeds[k]);
        fprintf(md, " --markdown`): the mean of the seeds with the shipped defaults. \"ok\" is within +-25 %%, "
                    "\"miss\" within 2x, \"MISS >2x\" beyond; `info` rows are uncertain and not scored. "
                    "See calibration.md.\n\n");
        print_table(md, &T, model, true);
        fprintf(md, "\n%d of %d scored rows within +-25 %%, %d beyond 2x; worst %s at %.2fx; loss %.4f.\n", s.within,
                s.scored, s.beyond2, s.worst_row >= 0 ? T.row[s.worst_row].id : "-", s.worst, f);
    }
    fflush(stdout);
    if (o.write_defaults && !write_defaults(o.write_defaults, &o, x, f, &s, errs))
        status = EXIT_RUNTIME;
    if (o.loao)
        loao(&T, &o, x, stdout, md, errs);
    if (o.abc && !abc(&T, &o, x, f, errs))
        status = EXIT_RUNTIME;
    if (md)
        fclose(md);
    if (errs->count) {
        err_print(errs, stderr);
        status = EXIT_RUNTIME;
    }
    free(model);
    free(errs);
    free(cached_data);
    cached_data = NULL;
    if (status == EXIT_OK && !passes(s))
        status = EXIT_RUNTIME;
    return status;
}
