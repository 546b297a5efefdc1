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
 * The fitting half (fit, leave one area out, ensemble) is cli/targets_fit.c.
 *
 * Exit status: 0 when the pass rule holds (at least 90 % of the rows that
 * are not 'uncertain' within +-25 % and none beyond 2x), 1 when it does not
 * or a run failed, 2 for bad usage or a bad targets file.
 */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
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
#include "sim/scenario.h"
#include "sim/table.h"
#include "cli/targets_int.h"

/* ------------------------------------------------------------ targets file */

static const char *const required_columns[] = {"id",    "area",       "scenario", "metric", "kind",  "date_from",
                                               "date_to", "value",    "confidence", "weight", "source", "note"};

/* A row's scenario path: a relative one from the project root the targets
 * file sits in (its folder's parent: data/targets.csv names scenarios/...),
 * else from the file's own folder, else as given (from the current folder),
 * so `ecnysim targets --targets /path/to/data/targets.csv` runs that
 * project's scenarios from any folder. Left as given when none opens:
 * loading says why. */
static void resolve_scenario(const char *targets_path, const char *scenario, char *out, size_t len)
{
    snprintf(out, len, "%s", scenario);
    if (scenario[0] == '/')
        return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", targets_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    char tried[2][4096 + 300];
    snprintf(tried[0], sizeof tried[0], "%s/../%s", dir, scenario);
    snprintf(tried[1], sizeof tried[1], "%s/%s", dir, scenario);
    for (int k = 0; k < 2; k++)
        if (strlen(tried[k]) < len && access(tried[k], R_OK) == 0) {
            snprintf(out, len, "%s", tried[k]);
            return;
        }
}

bool tgt_load_targets(const char *path, tgt_set *T, err_list *errs)
{
    tab_table *t = tab_read(path, required_columns, sizeof required_columns / sizeof *required_columns, errs);
    if (!t)
        return false;
    T->n = 0;
    T->n_scenarios = 0;
    snprintf(T->path, sizeof T->path, "%s", path);
    int before = errs->count;
    for (size_t r = 0; r < tab_rows(t); r++) {
        if (T->n == TGT_MAX_ROWS) {
            err_add(errs, "%s:%d: more than %d target rows: expected at most that many", path, tab_line(t, r),
                    TGT_MAX_ROWS);
            break;
        }
        tgt_row *row = &T->row[T->n];
        memset(row, 0, sizeof *row);
        row->line = tab_line(t, r);
        snprintf(row->id, sizeof row->id, "%s", tab_get(t, r, "id"));
        snprintf(row->area, sizeof row->area, "%s", tab_get(t, r, "area"));
        snprintf(row->scenario, sizeof row->scenario, "%s", tab_get(t, r, "scenario"));
        snprintf(row->metric, sizeof row->metric, "%s", tab_get(t, r, "metric"));
        if (strncmp(row->metric, "programmes.csv:", 15) == 0) {
            size_t len = strnlen(row->metric + 15, sizeof row->outcome - 1);
            memcpy(row->outcome, row->metric + 15, len);
            row->outcome[len] = '\0';
        }
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
        char resolved[sizeof T->scenario[0]];
        resolve_scenario(path, row->scenario, resolved, sizeof resolved);
        int g = -1;
        for (int k = 0; k < T->n_scenarios; k++)
            if (strcmp(T->scenario[k], resolved) == 0)
                g = k;
        if (g < 0) {
            if (T->n_scenarios == TGT_MAX_SCENARIOS) {
                err_add(errs, "%s:%d: more than %d scenarios: expected at most that many", path, tab_line(t, r),
                        TGT_MAX_SCENARIOS);
                continue;
            }
            g = T->n_scenarios++;
            memcpy(T->scenario[g], resolved, sizeof T->scenario[g]);
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

/* Rows of programme outcomes (metric programmes.csv:OUTCOME, area = the
 * programme's section name) from the end table the run publishes. */
static bool read_outcomes(tgt_set *T, int g, const snap_frame *f, double *out, err_list *errs)
{
    const snap_table *prg = NULL;
    for (int t = 0; t < f->n_tables; t++)
        if (f->table[t].at_end && strcmp(f->table[t].file, "programmes.csv") == 0)
            prg = &f->table[t];
    for (int i = 0; i < T->n; i++) {
        tgt_row *row = &T->row[i];
        if (row->group != g || !row->outcome[0])
            continue;
        int c_prog = -1, c_out = -1, c_val = -1;
        for (int c = 0; prg && c < prg->n_columns; c++) {
            c_prog = strcmp(prg->column[c], "programme") == 0 ? c : c_prog;
            c_out = strcmp(prg->column[c], "outcome") == 0 ? c : c_out;
            c_val = strcmp(prg->column[c], "value") == 0 ? c : c_val;
        }
        bool found = false;
        for (int r = 0; prg && c_prog >= 0 && c_out >= 0 && c_val >= 0 && r < prg->n_rows && !found; r++) {
            const char *const *cell = prg->text + (size_t)r * prg->n_columns;
            if (strcmp(cell[c_prog], row->area) == 0 && strcmp(cell[c_out], row->outcome) == 0) {
                out[i] += strtod(cell[c_val], NULL);
                found = true;
            }
        }
        if (!found) {
            err_add(errs, "%s:%d: row '%s': %s of %s reports no outcome '%s' of programme '%s': expected an outcome "
                          "and a programme section name of that scenario", T->path, row->line, row->id,
                    prg ? "programmes.csv" : "the run (no programme)", T->scenario[g], row->outcome, row->area);
            return false;
        }
    }
    return true;
}

static bool resolve_row(tgt_row *row, const snap_table *daily, const char *path, const char *scenario,
                        err_list *errs)
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
            err_add(errs, "%s:%d: row '%s': metric '%s' is not a column of daily.csv: expected daily.csv column names "
                          "joined by '+' (docs/outputs.md), or programmes.csv:OUTCOME", path, row->line, row->id, parts[i]);
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
                err_add(errs, "%s:%d: row '%s': area '%s' is not a [city] of %s: expected a city section name, "
                              "'all', or names joined by '+'", path, row->line, row->id, areas[i], scenario);
                return false;
            }
            row->city[row->n_cities++] = found;
        }
    }
    row->resolved = true;
    return true;
}

/* ------------------------------------------------------------ one run in memory */

static dat_set *cached_data; /* the data of the last scenario run, loaded once */
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
    if (!doc) {
        for (int i = 0; i < T->n; i++)
            if (T->row[i].group == g) {
                err_add(errs,
                        "%s:%d: row '%s' names scenario '%s', which did not load (above; a relative path is "
                        "looked for from the targets file's project root (its folder's parent), its folder, "
                        "then the current folder)",
                        T->path, T->row[i].line, T->row[i].id, T->row[i].scenario);
                break;
            }
        return false;
    }
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
            err_add_kind(errs, ERR_INVARIANT, "%s (seed %llu): %s", T->scenario[g], (unsigned long long)seed,
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
            if (row->outcome[0])
                continue; /* a programme outcome: read once the run is over */
            if (!row->resolved && !resolve_row(row, daily, T->path, T->scenario[g], errs)) {
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
    if (ok)
        ok = read_outcomes(T, g, wld_frame(w), out, errs);
    eng_free(eng);
    wld_free(w);
    scn_free(doc);
    return ok;
}

/* Every (group, seed) run, up to jobs at a time in child processes; model[i]
 * is the mean over the seeds. */
bool tgt_evaluate(tgt_set *T, const tgt_opts *o, const char *const *sets, int n_sets, double *model,
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
                        _exit(err_exit_status(e) == EXIT_BADINPUT ? EXIT_BADINPUT : EXIT_RUNTIME);
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
                    /* the child printed why; its status says whether the input was bad */
                    bool input = WIFEXITED(st) && WEXITSTATUS(st) == EXIT_BADINPUT;
                    if (ok)
                        err_add_kind(errs, input ? ERR_INPUT : ERR_INVARIANT, "a run of %s (seed %llu) failed",
                                     T->scenario[r / o->n_seeds], (unsigned long long)o->seeds[r % o->n_seeds]);
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

bool tgt_row_scored(const tgt_row *r)
{
    return strcmp(r->confidence, "uncertain") != 0;
}

double tgt_log_ratio(double model, double published)
{
    return log(fmax(model, published * 1e-6) / published);
}

/* Weighted squared log-ratio over rows with include[i] (NULL: all). */
double tgt_loss(const tgt_set *T, const double *model, const bool *include)
{
    double s = 0;
    for (int i = 0; i < T->n; i++) {
        if (include && !include[i])
            continue;
        double l = tgt_log_ratio(model[i], T->row[i].value);
        s += T->row[i].weight * l * l;
    }
    return s;
}


tgt_summary tgt_summarise(const tgt_set *T, const double *model)
{
    tgt_summary s = {0, 0, 0, 1, -1};
    for (int i = 0; i < T->n; i++) {
        if (!tgt_row_scored(&T->row[i]))
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

bool tgt_passes(tgt_summary s)
{
    return s.scored > 0 && s.within * 10 >= s.scored * 9 && s.beyond2 == 0;
}

void tgt_print_table(FILE *to, const tgt_set *T, const double *model, bool markdown)
{
    if (markdown)
        fprintf(to, "| id | area | model | published | ratio | confidence | |\n| --- | --- | ---: | ---: | ---: | --- | --- |\n");
    else
        fprintf(to, "%-28s %-14s %16s %16s %7s  %-10s\n", "target", "area", "model", "published", "ratio",
                "confidence");
    for (int i = 0; i < T->n; i++) {
        const tgt_row *r = &T->row[i];
        double ratio = model[i] / r->value;
        const char *mark = !tgt_row_scored(r) ? "info" : ratio >= 0.75 && ratio <= 1.25 ? "ok" : ratio > 2 || ratio < 0.5 ? "MISS >2x" : "miss";
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

void tgt_free_cache(void)
{
    free(cached_data);
    cached_data = NULL;
}

/* ------------------------------------------------------------ the command */

static void usage(FILE *to)
{
    fprintf(to, "usage: ecnysim targets [--targets FILE] [--seeds 1,2,3] [--jobs J] [--set section.key=value]...\n"
                "                       [--fit section.key,... [--max-evals N] [--step S] [--write-defaults FILE]]\n"
                "                       [--loao [--loao-evals N]] [--abc N --posterior FILE] [--model-error FILE]\n"
                "                       [--markdown FILE] [--quiet]\n"
                "  Runs the scenarios named in the targets file (default data/targets.csv) and prints every\n"
                "  published figure beside the model's (mean over the seeds). Exit 0 when at least 90 %% of\n"
                "  the rows that are not 'uncertain' are within +-25 %% and none is beyond 2x, else 1.\n"
                "  --targets FILE     the published figures (data/targets.csv; its header names the columns)\n"
                "  --seeds LIST       seeds to average over (default 1,2,3); --jobs J runs J at once\n"
                "  --set S.K=V        override a scenario key in every run (e.g. adoption.ceiling_pct=30)\n"
                "  --fit KEYS         joint fit of the keys (weighted squared log ratio, pattern search in\n"
                "                     their logs, common seeds); --max-evals N, --step S (initial log step);\n"
                "                     --write-defaults FILE writes the fitted values as models/calibrated.h\n"
                "  --loao             leave-one-area-out: refit without each area's rows, predict them\n"
                "                     (--loao-evals N evaluations per area)\n"
                "  --abc N            an ensemble of plausible parameter sets around the fit (history\n"
                "                     matching over N draws), written to --posterior FILE\n"
                "  --model-error FILE write the model's error of one area per daily.csv column (root mean\n"
                "                     square log ratio of the single areas' rows, printed after every\n"
                "                     table), which batches add to their bands (data/model_error.csv)\n"
                "  --markdown FILE    also write the table as Markdown (docs/calibration-table.md)\n"
                "  --quiet, -q        no progress lines while fitting\n"
                "  Example: ecnysim targets --seeds 1,2,3 --jobs 2   (docs/calibration.md explains the table)\n");
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
                     strcmp(s, "--posterior") == 0 || strcmp(s, "--markdown") == 0 ||
                     strcmp(s, "--model-error") == 0 || strcmp(s, "--loao-evals") == 0 ||
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
        } else if (strcmp(s, "--model-error") == 0) {
            o.model_error_out = argv[++i];
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
    if (fit_list && !tgt_add_params(&o, fit_list))
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
    if (!tgt_load_targets(o.targets_path, &T, errs)) {
        err_print(errs, stderr);
        int status = CLI_STATUS_OF(errs);
        free(errs);
        return status;
    }
    double x[TGT_MAX_FIT] = {0};
    int status = EXIT_OK;
    if (o.n_p > 0 && o.max_evals > 1 && !tgt_fit(&T, &o, NULL, o.max_evals, o.step, x, errs))
        status = EXIT_RUNTIME;
    double *model = calloc((size_t)T.n, sizeof *model);
    char set_text[TGT_MAX_FIT][192];
    const char *sets[TGT_MAX_SETS + TGT_MAX_FIT];
    int n = tgt_build_sets(&o, o.n_p ? x : NULL, set_text, sets);
    if (status == EXIT_OK && !model)
        status = EXIT_RUNTIME;
    if (status == EXIT_OK && !tgt_evaluate(&T, &o, sets, n, model, errs))
        status = CLI_STATUS_OF(errs);
    if (status != EXIT_OK) {
        err_print(errs, stderr);
        free(model);
        free(errs);
        return status;
    }
    tgt_print_table(stdout, &T, model, false);
    /* the model error of one area, after every table (make validate shows it), then the verdict */
    if (!tgt_write_model_error(o.model_error_out, &T, model, stdout, errs))
        status = EXIT_RUNTIME;
    tgt_summary s = tgt_summarise(&T, model);
    double f = tgt_loss(&T, model, NULL);
    printf("\n%d of %d scored rows within +-25 %% (%.0f %%), %d beyond 2x; worst %s at %.2fx; loss %.4f "
           "(%d rows, %d uncertain shown only)\n",
           s.within, s.scored, 100.0 * s.within / (s.scored ? s.scored : 1), s.beyond2,
           s.worst_row >= 0 ? T.row[s.worst_row].id : "-", s.worst, f, T.n, T.n - s.scored);
    if (o.n_p) {
        printf("fitted:");
        for (int k = 0; k < o.n_p; k++)
            printf(o.p[k].money ? " %s=%.2f" : " %s=%.4g", o.p[k].key, tgt_param_value(&o.p[k], x[k]));
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
        tgt_print_table(md, &T, model, true);
        fprintf(md, "\n%d of %d scored rows within +-25 %%, %d beyond 2x; worst %s at %.2fx; loss %.4f.\n", s.within,
                s.scored, s.beyond2, s.worst_row >= 0 ? T.row[s.worst_row].id : "-", s.worst, f);
    }
    fflush(stdout);
    if (o.write_defaults && !tgt_write_defaults(o.write_defaults, &o, x, f, &s, errs))
        status = EXIT_RUNTIME;
    if (o.loao)
        tgt_loao(&T, &o, x, stdout, md, errs);
    if (o.abc && !tgt_abc(&T, &o, x, f, errs))
        status = EXIT_RUNTIME;
    if (md)
        fclose(md);
    if (errs->count) {
        err_print(errs, stderr);
        status = EXIT_RUNTIME;
    }
    free(model);
    free(errs);
    tgt_free_cache();
    if (status == EXIT_OK && !tgt_passes(s))
        status = EXIT_RUNTIME;
    return status;
}
