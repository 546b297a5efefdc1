/* batch.c: batches of runs: replications, sweeps, parallel jobs, and
 * their summaries (the 'run' command's batch side and 'summarize').
 *
 * A batch is points x replications: the points are the full factorial of the
 * swept keys ([sweep] varyK and --vary, the last key varying fastest), each
 * run with the seed bat_seed(base, replication), so every point sees the same
 * seeds (common random numbers). Run k (1-based, point-major) goes to
 * results/NAME/run-%04d/, written by one child process (cli/procpool.c, at
 * most --jobs at a time) through cli_run, exactly as a single run would be.
 * The parent assembles runs.csv, all_daily.csv (long format) and
 * summary.csv / kpi_summary.csv in run order as soon as a prefix of runs is
 * complete, so the files are byte-identical whatever --jobs is, and
 * all_daily.csv is streamed run by run (one run's daily.csv read at a time;
 * a summary holds one point's replications in memory: R x rows x metrics
 * doubles). The whole batch folder is written under a temporary name and
 * renamed when complete (sim/output.h); a failed run aborts the batch.
 * Under mpirun (bat_cli_ranks) run i goes to rank i mod R, each rank forking
 * its share into rank 0's temporary folder and telling rank 0 by message
 * when each ends; rank 0 assembles as above (docs/distributed.md).
 * Cost: the runs, plus one parse of every daily.csv for all_daily and one
 * for the summary.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "cli/batch.h"
#include "cli/batch_int.h"
#include "sim/dist.h"
#include "sim/output.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/stats.h"
#include "sim/table.h"

#define BAT_MAX_VALUES 10000
#define BAT_MAX_RUNS 1000000

/* ---- small helpers ---- */

uint64_t bat_seed(uint64_t base, int replication)
{
    return replication <= 1 ? base : rng_mix(base, (uint64_t)replication) >> 2;
}

const char *bat_num(char buf[40], double v)
{
    snprintf(buf, 40, "%.10g", v == 0 ? 0.0 : v); /* no "-0" */
    return buf;
}

void bat_remove_tree(const char *dir)
{
    if (dir)
        out_remove_dir(dir); /* recurses into folders */
}

char *bat_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- per-day results tables ---- */

typedef struct {
    bat_table *t;
    size_t cap;
    const char *path;
    err_list *errs;
} table_ctx;

static bool table_row(void *vctx, char **field, size_t n, int line)
{
    table_ctx *c = vctx;
    bat_table *t = c->t;
    if (!t->val_name) {
        if (n < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0) {
            err_add(c->errs, "%s:%d: expected a header 'date,city,...' with at least one value column", c->path, line);
            return false;
        }
        t->val_name = calloc(n - 2, sizeof *t->val_name);
        if (!t->val_name)
            return false;
        for (size_t i = 2; i < n; i++)
            if (!(t->val_name[t->n_val++] = bat_dup(field[i])))
                return false;
        return true;
    }
    if (n != (size_t)t->n_val + 2) {
        err_add(c->errs, "%s:%d: %zu fields: expected %d", c->path, line, n, t->n_val + 2);
        return false;
    }
    if (t->n_rows == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        char **d = realloc(t->date, cap * sizeof *d), **ci = d ? realloc(t->city, cap * sizeof *ci) : NULL;
        if (d)
            t->date = d;
        if (ci)
            t->city = ci;
        double *v = ci ? realloc(t->v, cap * (size_t)t->n_val * sizeof *v) : NULL;
        if (!v) {
            err_add_kind(c->errs, ERR_MEMORY, "%s: out of memory", c->path);
            return false;
        }
        t->v = v;
        c->cap = cap;
    }
    size_t r = t->n_rows;
    t->date[r] = bat_dup(field[0]);
    t->city[r] = bat_dup(field[1]);
    t->n_rows++;
    if (!t->date[r] || !t->city[r])
        return false;
    for (int i = 0; i < t->n_val; i++) {
        char *end;
        t->v[r * (size_t)t->n_val + (size_t)i] = strtod(field[i + 2], &end);
        if (!field[i + 2][0] || *end) {
            err_add(c->errs, "%s:%d: column '%s' is '%s': expected a number", c->path, line, t->val_name[i],
                    field[i + 2]);
            return false;
        }
    }
    return true;
}

bool bat_table_read(const char *path, bat_table *t, err_list *errs)
{
    memset(t, 0, sizeof *t);
    table_ctx c = {t, 0, path, errs};
    if (!tab_stream(path, table_row, &c, errs) || !t->val_name) {
        if (!t->val_name && errs->count == 0)
            err_add(errs, "%s: empty file: expected a header row", path);
        bat_table_free(t);
        return false;
    }
    return true;
}

void bat_table_free(bat_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_val; i++)
        free(t->val_name[i]);
    for (size_t r = 0; r < t->n_rows; r++) {
        free(t->date[r]);
        free(t->city[r]);
    }
    free(t->val_name);
    free(t->date);
    free(t->city);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int bat_table_col(const bat_table *t, const char *name)
{
    for (int i = 0; i < t->n_val; i++)
        if (strcmp(t->val_name[i], name) == 0)
            return i;
    return -1;
}

/* ---- the plan: swept keys, points and runs ---- */


static void dim_free(bat_dim *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->val[i]);
    free(d->val);
    d->val = NULL;
    d->n = 0;
}

static bool dim_add(bat_dim *d, const char *v, size_t len)
{
    if (d->n == BAT_MAX_VALUES)
        return false;
    char **nv = realloc(d->val, (size_t)(d->n + 1) * sizeof *nv);
    if (!nv)
        return false;
    d->val = nv;
    char *s = malloc(len + 1);
    if (!s)
        return false;
    memcpy(s, v, len);
    s[len] = '\0';
    d->val[d->n++] = s;
    return true;
}

static bool parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0' && *out == *out;
}

/* Parses "section.key=v1,v2,..." or "section.key=start:stop:step". On
 * failure writes what is wrong to why. */
static bool dim_parse(const char *spec, bat_dim *d, char *why, size_t why_len)
{
    memset(d, 0, sizeof *d);
    snprintf(d->spec, sizeof d->spec, "%s", spec);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        snprintf(why, why_len, "no '=': expected section.key=v1,v2,... or section.key=start:stop:step");
        return false;
    }
    size_t klen = (size_t)(eq - spec);
    if (klen >= sizeof d->key || !memchr(spec, '.', klen)) {
        snprintf(why, why_len, "the key must be section.key (named sections as city.suzhou.key)");
        return false;
    }
    for (size_t i = 0; i < klen; i++) {
        char c = spec[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-')) {
            snprintf(why, why_len, "the key has '%c': expected section.key in letters, digits, '_', '-'", c);
            return false;
        }
        d->key[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    d->key[klen] = '\0';
    const char *v = eq + 1;
    if (!*v) {
        snprintf(why, why_len, "no values after '=': expected v1,v2,... or start:stop:step");
        return false;
    }
    if (strchr(v, ':') && !strchr(v, ',')) {
        const char *c1 = strchr(v, ':'), *c2 = strchr(c1 + 1, ':');
        double a, b, step;
        if (!c2 || strchr(c2 + 1, ':') || !parse_number(v, (size_t)(c1 - v), &a) ||
            !parse_number(c1 + 1, (size_t)(c2 - c1 - 1), &b) || !parse_number(c2 + 1, strlen(c2 + 1), &step)) {
            snprintf(why, why_len, "bad range '%s': expected start:stop:step, three numbers", v);
            return false;
        }
        double count = step != 0 ? (b - a) / step : -1;
        if (step == 0 || count < -1e-9 || count > BAT_MAX_VALUES - 1) {
            snprintf(why, why_len, "bad range '%s': expected a step that goes from start to stop in at most %d values",
                     v, BAT_MAX_VALUES);
            return false;
        }
        int n = (int)(count + 1e-9) + 1;
        for (int i = 0; i < n; i++) {
            char buf[40];
            bat_num(buf, a + i * step);
            if (!dim_add(d, buf, strlen(buf))) {
                snprintf(why, why_len, "out of memory");
                return false;
            }
        }
        return true;
    }
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            snprintf(why, why_len, "an empty value in '%s': expected v1,v2,... with no empty item", v);
            return false;
        }
        if (!dim_add(d, p, len)) {
            snprintf(why, why_len, "more than %d values (or out of memory)", BAT_MAX_VALUES);
            return false;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return true;
}


static char *own(bat_batch *b, char *s)
{
    if (!s)
        return NULL;
    b->owned[b->n_owned++] = s;
    return s;
}

/* Value of dimension d at point p (0-based). */
static int point_index(const bat_batch *b, int p, int d)
{
    int idx = p;
    for (int k = b->n_dims - 1; k > d; k--)
        idx /= b->dim[k].n;
    return idx % b->dim[d].n;
}

static const char *point_value(const bat_batch *b, int p, int d) { return b->dim[d].val[point_index(b, p, d)]; }

/* ---- assembling the combined files, in run order ---- */

void bat_write_params(const bat_batch *b, out_csv *c, int point)
{
    for (int d = 0; d < b->n_dims; d++)
        out_csv_str(c, point_value(b, point, d));
}

typedef struct {
    bat_batch *b;
    int run;
    bool header_done;
    char **metric;
    size_t n_metric;
    char seed[32];
} daily_stream;

static bool stream_row(void *vctx, char **field, size_t n, int line)
{
    daily_stream *s = vctx;
    bat_batch *b = s->b;
    if (!s->header_done) {
        s->header_done = true;
        if (n < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0)
            return false;
        s->metric = calloc(n, sizeof *s->metric);
        if (!s->metric)
            return false;
        for (size_t i = 2; i < n; i++)
            s->metric[s->n_metric++] = bat_dup(field[i]);
        return true;
    }
    (void)line;
    if (n != s->n_metric + 2)
        return false;
    const bat_run *r = &b->runs[s->run];
    for (size_t i = 0; i < s->n_metric; i++) {
        out_csv_int(b->all_csv, s->run + 1);
        out_csv_str(b->all_csv, s->seed);
        bat_write_params(b, b->all_csv, r->point - 1);
        out_csv_str(b->all_csv, field[0]);
        out_csv_str(b->all_csv, field[1]);
        out_csv_str(b->all_csv, s->metric[i] ? s->metric[i] : "");
        out_csv_str(b->all_csv, field[i + 2]);
        out_csv_end_row(b->all_csv);
    }
    return !out_failed(b->out);
}

static bool assemble_run(void *vctx, int i)
{
    bat_batch *b = vctx;
    const bat_run *r = &b->runs[i];
    char seed[32], dir[32], path[BAT_PATH];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->seed);
    snprintf(dir, sizeof dir, "run-%04d", i + 1);
    out_csv_int(b->runs_csv, i + 1);
    out_csv_int(b->runs_csv, r->point);
    out_csv_int(b->runs_csv, r->replication);
    out_csv_str(b->runs_csv, seed);
    out_csv_str(b->runs_csv, b->summary_only ? "" : dir); /* outputs = summary: the folder goes */
    if (b->ensemble > 0)
        out_csv_int(b->runs_csv, r->set_id);
    bat_write_params(b, b->runs_csv, r->point - 1);
    out_csv_end_row(b->runs_csv);

    bool ok = true;
    if (!b->summary_only) {
        daily_stream s = {b, i, false, NULL, 0, ""};
        snprintf(s.seed, sizeof s.seed, "%s", seed);
        snprintf(path, sizeof path, "%s/%s/daily.csv", out_temp_dir(b->out), dir);
        ok = tab_stream(path, stream_row, &s, b->errs);
        if (!ok)
            err_add(b->errs, "%s: cannot add it to all_daily.csv: expected date,city,metrics... rows", path);
        for (size_t k = 0; k < s.n_metric; k++)
            free(s.metric[k]);
        free(s.metric);
    }
    if (ok && r->replication == b->reps) {
        ok = bat_summarize_point(b, out_temp_dir(b->out), r->point - 1);
        for (int k = 0; ok && b->summary_only && k < b->reps; k++) {
            snprintf(path, sizeof path, "%s/run-%04d", out_temp_dir(b->out), (r->point - 1) * b->reps + k + 1);
            bat_remove_tree(path);
        }
    }
    return ok && out_flush(b->out);
}

/* ---- the plan ---- */

static int add_dim(bat_batch *b, const char *spec, const char *where)
{
    bat_dim d;
    char why[300];
    if (!dim_parse(spec, &d, why, sizeof why)) {
        fprintf(stderr, "ecnysim: %s '%s': %s\n", where, spec, why);
        dim_free(&d);
        return EXIT_BADINPUT;
    }
    for (int k = 0; k < b->n_dims; k++) {
        if (strcmp(b->dim[k].key, d.key) == 0) { /* --vary replaces [sweep]'s */
            dim_free(&b->dim[k]);
            b->dim[k] = d;
            return EXIT_OK;
        }
    }
    if (b->n_dims == BAT_MAX_DIMS) {
        fprintf(stderr, "ecnysim: %s '%s': more than %d swept keys\n", where, spec, BAT_MAX_DIMS);
        dim_free(&d);
        return EXIT_BADINPUT;
    }
    b->dim[b->n_dims++] = d;
    return EXIT_OK;
}

/* Reads the swept keys and replications; *is_batch says whether there is a batch at all. */
static int read_plan(bat_batch *b, const scn_doc *doc, bool *is_batch)
{
    const scn_instance *sw = scn_single(doc, "sweep");
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "vary%d", k);
        if (!scn_has(sw, key) || !scn_str(sw, key)[0])
            continue;
        char where[600];
        scn_where(doc, sw, key, where, sizeof where);
        char label[700];
        snprintf(label, sizeof label, "%s: [sweep] %s", where, key);
        int st = add_dim(b, scn_str(sw, key), label);
        if (st != EXIT_OK)
            return st;
    }
    bool from_file = b->n_dims > 0;
    for (int k = 0; k < b->a->n_vary; k++) {
        int st = add_dim(b, b->a->vary[k], "--vary");
        if (st != EXIT_OK)
            return st;
    }
    if (b->a->ensemble && b->a->replications) {
        fprintf(stderr, "ecnysim: --ensemble N runs N members, each with its own replication seed: expected "
                        "--ensemble or --replications, not both\n");
        return EXIT_BADINPUT;
    }
    /* --replications overrides the file's ensemble as it does its replications. */
    int64_t ens = b->a->ensemble ? b->a->ensemble : b->a->replications ? 0 : scn_int(sw, "ensemble");
    int64_t reps = ens > 0 ? ens : b->a->replications ? b->a->replications : scn_int(sw, "replications");
    *is_batch = b->a->replications || b->a->n_vary || from_file || reps > 1 || ens > 0;
    b->reps = (int)reps;
    b->ensemble = (int)ens;
    b->summary_only = strcmp(scn_str(sw, "outputs"), "summary") == 0;
    double points = 1;
    for (int d = 0; d < b->n_dims; d++)
        points *= b->dim[d].n;
    if (points * reps > BAT_MAX_RUNS) {
        fprintf(stderr, "ecnysim: the batch has %.0f points x %lld replications: expected at most %d runs\n", points,
                (long long)reps, BAT_MAX_RUNS);
        return EXIT_BADINPUT;
    }
    b->n_points = (int)points;
    b->n_runs = b->n_points * b->reps;
    return EXIT_OK;
}

/* With an ensemble: finds and reads the parameter sets (--posterior, else
 * data_dir/posterior.csv as the scenario locates data_dir). */
static int plan_ensemble(bat_batch *b, const scn_doc *doc)
{
    if (b->ensemble <= 0)
        return EXIT_OK;
    if (b->a->posterior) {
        snprintf(b->posterior, sizeof b->posterior, "%s", b->a->posterior);
    } else {
        char located[BAT_PATH];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        snprintf(b->posterior, sizeof b->posterior, "%s/posterior.csv", dir);
    }
    return bat_read_posterior(b);
}

char *bat_fmt_alloc(const char *fmt, const char *a, const char *c)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, a, c);
    return s;
}

/* Builds every run's --set list: the command's, the point's, [sweep] cleared, the seed. */
static int build_runs(bat_batch *b, const scn_doc *doc)
{
    const scn_instance *sw = scn_single(doc, "sweep");
    const char *clear[16];
    int n_clear = 0;
    for (int k = 1; k <= 8; k++) {
        static const char *const names[] = {"", "vary1", "vary2", "vary3", "vary4", "vary5", "vary6", "vary7", "vary8"};
        static const char *const sets[] = {"", "sweep.vary1=", "sweep.vary2=", "sweep.vary3=", "sweep.vary4=",
                                           "sweep.vary5=", "sweep.vary6=", "sweep.vary7=", "sweep.vary8="};
        if (scn_has(sw, names[k]) && scn_str(sw, names[k])[0])
            clear[n_clear++] = sets[k];
    }
    if (scn_int(sw, "replications") != 1)
        clear[n_clear++] = "sweep.replications=1";
    if (scn_int(sw, "ensemble") != 0)
        clear[n_clear++] = "sweep.ensemble=0";
    int per_run = b->a->n_sets + b->n_keys + b->n_dims + n_clear + 1;
    b->runs = calloc((size_t)b->n_runs, sizeof *b->runs);
    b->owned = calloc((size_t)b->n_runs * (size_t)(b->n_dims + 1) + 1, sizeof *b->owned);
    const char **sets = calloc((size_t)b->n_runs * (size_t)per_run, sizeof *sets);
    if (!b->runs || !b->owned || !sets) {
        free(sets);
        fprintf(stderr, "ecnysim: out of memory planning %d runs\n", b->n_runs);
        return EXIT_RUNTIME;
    }
    b->owned[b->n_owned++] = (char *)sets;
    uint64_t base = (uint64_t)scn_int(scn_single(doc, "scenario"), "seed");
    for (int p = 0; p < b->n_points; p++) {
        char *point_sets[BAT_MAX_DIMS];
        uint64_t pbase = base;
        for (int d = 0; d < b->n_dims; d++) {
            point_sets[d] = own(b, bat_fmt_alloc("%s=%s", b->dim[d].key, point_value(b, p, d)));
            if (!point_sets[d])
                return EXIT_RUNTIME;
            if (strcmp(b->dim[d].key, "scenario.seed") == 0)
                pbase = strtoull(point_value(b, p, d), NULL, 10);
        }
        for (int r = 1; r <= b->reps; r++) {
            int i = p * b->reps + r - 1;
            bat_run *run = &b->runs[i];
            run->sets = sets + (size_t)i * (size_t)per_run;
            run->point = p + 1;
            run->replication = r;
            run->seed = bat_seed(pbase, r);
            run->weight = 1;
            for (int s = 0; s < b->a->n_sets; s++)
                run->sets[run->n_sets++] = b->a->sets[s];
            if (b->ensemble > 0) { /* member r: parameter set r (cycling), after --set, before the point */
                int row = (r - 1) % b->n_sets;
                run->set_id = b->set_id[row];
                run->weight = b->weight[row];
                for (int k = 0; k < b->n_keys; k++)
                    run->sets[run->n_sets++] = b->assign[(size_t)row * (size_t)b->n_keys + (size_t)k];
            }
            for (int d = 0; d < b->n_dims; d++)
                run->sets[run->n_sets++] = point_sets[d];
            for (int c = 0; c < n_clear; c++)
                run->sets[run->n_sets++] = clear[c];
            char seed[32];
            snprintf(seed, sizeof seed, "%llu", (unsigned long long)run->seed);
            char *s = own(b, bat_fmt_alloc("scenario.seed=%s%s", seed, ""));
            if (!s)
                return EXIT_RUNTIME;
            run->sets[run->n_sets++] = s;
        }
    }
    return EXIT_OK;
}

/* Checks every point's scenario loads (keys exist, values in range) before running anything. */
static int validate_points(bat_batch *b)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return EXIT_RUNTIME;
    int status = EXIT_OK;
    /* Every parameter set in use, on the scenario and the command's --set:
     * a bad value is named by its line in the file. */
    int in_use = b->ensemble > 0 ? (b->n_sets < b->reps ? b->n_sets : b->reps) : 0;
    const char **sets = in_use ? calloc((size_t)(b->a->n_sets + b->n_keys), sizeof *sets) : NULL;
    if (in_use && !sets)
        status = EXIT_RUNTIME;
    for (int k = 0; k < in_use && status == EXIT_OK; k++) {
        int n = 0;
        for (int c = 0; c < b->a->n_sets; c++)
            sets[n++] = b->a->sets[c];
        for (int c = 0; c < b->n_keys; c++)
            sets[n++] = b->assign[(size_t)k * (size_t)b->n_keys + (size_t)c];
        err_init(errs);
        scn_doc *d = scn_load(&ecny_schema, b->a->scenario, sets, n, errs);
        if (!d) {
            err_print(errs, stderr);
            fprintf(stderr, "ecnysim: %s:%d: parameter set %lld is not valid for this scenario (see above)\n",
                    b->posterior, b->set_line[k], (long long)b->set_id[k]);
            status = CLI_STATUS_OF(errs);
        }
        scn_free(d);
    }
    free(sets);
    for (int p = 0; p < b->n_points && status == EXIT_OK; p++) {
        err_init(errs);
        const bat_run *r = &b->runs[p * b->reps];
        scn_doc *d = scn_load(&ecny_schema, b->a->scenario, r->sets, r->n_sets, errs);
        if (!d) {
            err_print(errs, stderr);
            fprintf(stderr, "ecnysim: point %d of the sweep is not a valid scenario (see above)\n", p + 1);
            status = CLI_STATUS_OF(errs);
        }
        scn_free(d);
    }

    free(errs);
    return status;
}

/* Refuses, before anything runs, a batch whose memory would pass
 * memory_limit_gib: --jobs runs at once, each as large as the first run's
 * world (wld_bytes, built here and freed), plus the summary's block of values
 * (at least one row of every replication: R x 64 metrics x 8 bytes). The
 * data loaded here is handed to the forked runs (cli_preload_data). */
static int check_memory(bat_batch *b, int jobs)
{
    err_list *errs = malloc(sizeof *errs);
    dat_set *data = malloc(sizeof *data);
    if (!errs || !data) {
        free(errs);
        free(data);
        return EXIT_RUNTIME;
    }
    err_init(errs);
    int status = EXIT_OK;
    scn_doc *doc = scn_load(&ecny_schema, b->a->scenario, b->runs[0].sets, b->runs[0].n_sets, errs);
    wld_world *w = NULL;
    if (doc && scn_int(scn_single(doc, "peer"), "residents") == 0) { /* the peer model sizes itself */
        char located[BAT_PATH];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        if (dat_load(dir, data, errs)) {
            cli_preload_data(dir, data); /* loaded once here, copied by every forked run */
            w = wld_create(doc, data, errs);
        }
        if (!w) { /* the run itself reports why, the same way */
            scn_free(doc);
            free(data);
            free(errs);
            return EXIT_OK;
        }
        double limit = scn_real(scn_single(doc, "scenario"), "memory_limit_gib") * 1073741824.0;
        int at_once = jobs < b->n_runs ? jobs : b->n_runs;
        double run_bytes = (double)wld_bytes(w), sum_bytes = (double)b->reps * 64 * sizeof(double);
        if (sum_bytes < (double)BAT_SUMMARY_BYTES)
            sum_bytes = (double)BAT_SUMMARY_BYTES;
        double need = at_once * run_bytes + sum_bytes;
        if (need > limit) {
            fprintf(stderr,
                    "ecnysim: %d runs, %d at a time, need about %.2f GiB (%d x %.2f GiB per run + %.2f GiB for "
                    "the summary of %d replications): over memory_limit_gib = %g: expected fewer --jobs or "
                    "replications, a larger 'scale', or a larger memory_limit_gib in [scenario]\n",
                    b->n_runs, at_once, need / 1073741824.0, at_once, run_bytes / 1073741824.0,
                    sum_bytes / 1073741824.0, b->reps, limit / 1073741824.0);
            status = EXIT_BADINPUT;
        }
    }
    wld_free(w);
    scn_free(doc);
    free(data);
    free(errs);
    return status;
}

static void batch_free(bat_batch *b)
{
    for (int d = 0; d < b->n_dims; d++)
        dim_free(&b->dim[d]);
    for (int i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->runs);
    free(b->errs);
    bat_posterior_free(b);
}

static void write_batch_manifest(FILE *m, const bat_batch *b, const scn_doc *doc, int jobs, const char *status,
                                 int n_done)
{
    fprintf(m, "; manifest.ini: how this batch was made. Reproduce it by running 'command' from 'cwd',\n"
               "; or check it with 'ecnysim rerun DIR' (re-runs it into a temporary folder and compares\n"
               "; every file byte for byte). Each run-XXXX/manifest.ini gives that run's own command.\n"
               "; Seeds: replication 1 runs the base seed, replication r > 1 runs rng_mix(base, r) >> 2\n"
               "; (sim/rng.h); every point uses the same seeds. Files: docs/research.md.\n");
    fprintf(m, "\n[batch]\nstatus = %s\nversion = %s\n", status, ECNYSIM_VERSION);
    cli_write_command(m, b->argc, b->argv);
    fprintf(m, "scenario_file = %s\nscenario_hash = %016llx\nbase_seed = %lld\n", scn_path(doc),
            (unsigned long long)scn_hash(doc), (long long)scn_int(scn_single(doc, "scenario"), "seed"));
    fprintf(m, "points = %d\nreplications = %d\nruns = %d\nruns_done = %d\njobs = %d\n", b->n_points, b->reps,
            b->n_runs, n_done, jobs);
    for (int d = 0; d < b->n_dims; d++)
        fprintf(m, "vary%d = \"%s\"\n", d + 1, b->dim[d].spec);
    if (b->ensemble > 0)
        fprintf(m, "ensemble = %d\nposterior = %s\nparameter_sets = %d\nweighted = %s\n", b->ensemble,
                b->posterior, b->n_sets, b->weighted ? "true" : "false");
    scn_write_resolved(doc, m);
}

/* What rank 0 of a batch under mpirun tells the others before anything runs
 * (dst_bcast_int): GO, then the folder paths; ALONE: rank 0 goes on alone
 * (a single run, or the scenario's errors); > 0: the batch failed with that
 * exit status (rank 0 said why). */
enum { PLAN_GO = 0, PLAN_ALONE = -1 };

static void tell_ranks(bool dist, int plan)
{
    if (dist && !dst_bcast_int(&plan))
        dst_abort(EXIT_RUNTIME);
}

/* cli_batch, or rank 0 of bat_cli_ranks (dist). */
static int batch_main(const cli_args *a, int argc, char **argv, bool dist)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs) {
        fprintf(stderr, "ecnysim: out of memory\n");
        tell_ranks(dist, EXIT_RUNTIME);
        return EXIT_RUNTIME;
    }
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    free(errs);
    if (!doc) { /* cli_run reports the errors, the same ones */
        tell_ranks(dist, PLAN_ALONE);
        return cli_run(a, argc, argv, NULL);
    }
    bat_batch b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.argc = argc;
    b.argv = argv;
    bool is_batch = false;
    int status = read_plan(&b, doc, &is_batch);
    if (status == EXIT_OK && !is_batch) {
        tell_ranks(dist, PLAN_ALONE);
        batch_free(&b);
        scn_free(doc);
        return cli_run(a, argc, argv, NULL);
    }
    int jobs = a->jobs ? a->jobs : 1;
    if (status == EXIT_OK)
        status = plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = build_runs(&b, doc);
    if (status == EXIT_OK)
        status = validate_points(&b);
    if (status == EXIT_OK)
        status = check_memory(&b, jobs);
    b.errs = malloc(sizeof *b.errs);
    if (status == EXIT_OK && !b.errs)
        status = EXIT_RUNTIME;
    if (status != EXIT_OK) {
        tell_ranks(dist, status);
        batch_free(&b);
        scn_free(doc);
        return status;
    }
    err_init(b.errs);
    char root[BAT_PATH], name[1024];
    cli_results_location(doc, a, root, sizeof root, name, sizeof name);
    b.out = out_begin(root, name, b.errs);
    if (b.out) {
        const char *cols[64];
        int n = 0;
        const char *head[] = {"run", "point", "replication", "seed", "dir"};
        for (int c = 0; c < 5; c++)
            cols[n++] = head[c];
        if (b.ensemble > 0)
            cols[n++] = "set";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        b.runs_csv = out_csv_open(b.out, "runs.csv", cols, (size_t)n);
        n = 0;
        cols[n++] = "run";
        cols[n++] = "seed";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        const char *tail[] = {"date", "city", "metric", "value"};
        for (int c = 0; c < 4; c++)
            cols[n++] = tail[c];
        b.all_csv = b.summary_only ? NULL : out_csv_open(b.out, "all_daily.csv", cols, (size_t)n);
        n = 0;
        cols[n++] = "point";
        for (int d = 0; d < b.n_dims; d++)
            cols[n++] = b.dim[d].key;
        const char *stail[] = {"date", "city", "metric", "runs", "mean", "sd", "p05", "p50", "p95"};
        for (int c = 0; c < 9; c++)
            cols[n++] = stail[c];
        b.sum_csv = out_csv_open(b.out, "summary.csv", cols, (size_t)n);
    }
    if (!b.out || !b.runs_csv || (!b.all_csv && !b.summary_only) || !b.sum_csv) {
        if (b.out)
            err_add_kind(b.errs, ERR_IO, "%s", out_error(b.out));
        err_print(b.errs, stderr);
        out_abort(b.out);
        tell_ranks(dist, EXIT_RUNTIME);
        batch_free(&b);
        scn_free(doc);
        return EXIT_RUNTIME;
    }
    /* Under mpirun: every rank writes its runs into this temporary folder
     * (a shared file system across machines), named absolutely. */
    char dirs[2][BAT_PATH];
    memset(dirs, 0, sizeof dirs);
    if (!realpath(out_temp_dir(b.out), dirs[0]))
        snprintf(dirs[0], sizeof dirs[0], "%s", out_temp_dir(b.out));
    snprintf(dirs[1], sizeof dirs[1], "%s", out_final_dir(b.out));
    tell_ranks(dist, PLAN_GO);
    if (dist && !dst_bcast_bytes(dirs, sizeof dirs))
        dst_abort(EXIT_RUNTIME);
    prog_bar bar;
    prog_begin(&bar, stderr, a->quiet, b.n_runs);
    char argv0[BAT_PATH];
    snprintf(argv0, sizeof argv0, "%s", argv[0]);
    bat_exec x = {a->scenario, argv0, out_temp_dir(b.out), out_final_dir(b.out), jobs, &bar, 0, b.n_runs,
                  assemble_run, &b};
    int n_done = 0;
    bool interrupted = false;
    status = bat_execute_ranks(&x, 0, dist ? dst_size() : 1, b.runs, b.n_runs, &n_done, &interrupted);
    prog_update(&bar, (double)n_done / b.n_runs, PROG_NO_DAY, 0, 0, n_done, true);
    prog_end(&bar);
    if (status == EXIT_OK || interrupted) {
        FILE *m = out_text_open(b.out, "manifest.ini");
        if (m)
            write_batch_manifest(m, &b, doc, jobs, interrupted ? "interrupted" : "complete", n_done);
        if (!out_commit(b.out, b.errs)) {
            status = EXIT_RUNTIME;
        } else if (interrupted) {
            fprintf(stderr, "ecnysim: interrupted after %d of %d runs; results so far in %s/%s (status=interrupted)\n",
                    n_done, b.n_runs, root, name);
        } else if (!a->quiet) {
            char over[48] = "";
            if (dist)
                snprintf(over, sizeof over, " on each of %d ranks", dst_size());
            fprintf(stderr, "ecnysim: %d run%s (%d point%s x %d replication%s, %d job%s%s): results in %s/%s\n",
                    b.n_runs, b.n_runs == 1 ? "" : "s", b.n_points, b.n_points == 1 ? "" : "s", b.reps,
                    b.reps == 1 ? "" : "s", jobs, jobs == 1 ? "" : "s", over, root, name);
        }
    } else {
        if (out_failed(b.out))
            err_add_kind(b.errs, ERR_IO, "%s", out_error(b.out));
        out_abort(b.out);
    }
    err_print(b.errs, stderr);
    batch_free(&b);
    scn_free(doc);
    return status;
}

int cli_batch(const cli_args *a, int argc, char **argv) { return batch_main(a, argc, argv, false); }

/* A rank > 0 of bat_cli_ranks: the same plan as rank 0's, its share of the runs. */
static int batch_worker(const cli_args *a, char **argv)
{
    int plan = PLAN_GO;
    if (!dst_bcast_int(&plan))
        dst_abort(EXIT_RUNTIME);
    if (plan != PLAN_GO)
        return EXIT_OK; /* rank 0 reports, and gives the exit status */
    char dirs[2][BAT_PATH];
    if (!dst_bcast_bytes(dirs, sizeof dirs))
        dst_abort(EXIT_RUNTIME);
    dirs[0][BAT_PATH - 1] = dirs[1][BAT_PATH - 1] = '\0';
    /* Rank 0 loaded, planned and checked the same inputs: this can fail
     * only for want of memory, and then says so to rank 0. */
    err_list *errs = malloc(sizeof *errs);
    scn_doc *doc = NULL;
    if (errs) {
        err_init(errs);
        doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
        if (!doc)
            err_print(errs, stderr);
        free(errs);
    }
    bat_batch b;
    memset(&b, 0, sizeof b);
    b.a = a;
    bool is_batch = false;
    int status = doc ? read_plan(&b, doc, &is_batch) : EXIT_RUNTIME;
    if (status == EXIT_OK && !is_batch)
        status = EXIT_RUNTIME;
    if (status == EXIT_OK)
        status = plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = build_runs(&b, doc);
    if (status != EXIT_OK) {
        fprintf(stderr, "ecnysim: rank %d could not plan the batch\n", dst_rank());
        bat_send_msg(0, MSG_FAIL, -1, status);
    }
    char argv0[BAT_PATH];
    snprintf(argv0, sizeof argv0, "%s", argv[0]);
    bat_exec x = {a->scenario, argv0, dirs[0], dirs[1], a->jobs ? a->jobs : 1, NULL, 0, b.n_runs, NULL, NULL};
    int n_done = 0;
    bool interrupted = false;
    bat_execute_ranks(&x, dst_rank(), dst_size(), b.runs, status == EXIT_OK ? b.n_runs : 0, &n_done, &interrupted);
    batch_free(&b);
    scn_free(doc);
    /* EXIT_OK whatever the batch did: rank 0 gives its status, and a rank
     * exiting non-zero first would make mpirun end rank 0 mid-cleanup. */
    return EXIT_OK;
}

int bat_cli_ranks(const cli_args *a, int argc, char **argv)
{
    if (dst_size() <= 1)
        return cli_batch(a, argc, argv);
    return dst_rank() == 0 ? batch_main(a, argc, argv, true) : batch_worker(a, argv);
}
