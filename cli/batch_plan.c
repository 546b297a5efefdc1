/* batch_plan.c: a batch's plan, before anything runs: the swept keys
 * ([sweep] varyK and --vary: lists v1,v2,... or ranges start:stop:step), the
 * full factorial of their values (points), the replications or the ensemble
 * members of each point, the --set list and seed of every run, and the
 * checks made once for all runs (each point's scenario is valid; the runs
 * at --jobs fit in memory). See cli/batch.c for the batch as a whole.
 *
 * Cost: O(points x replications) small strings; one scenario load per point.
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
#include "sim/assert.h"
#include "sim/output.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/stats.h"
#include "sim/table.h"

#define BAT_MAX_VALUES 10000
#define BAT_MAX_RUNS 1000000

/* ---- the plan: swept keys, points and runs ---- */

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

void bat_write_params(const bat_batch *b, out_csv *c, int point)
{
    SIM_ASSERT(b && c && point >= 0 && point < b->n_points, "point %d of %d", point, b ? b->n_points : 0);
    for (int d = 0; d < b->n_dims; d++)
        out_csv_str(c, point_value(b, point, d));
}



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
int bat_plan_read(bat_batch *b, const scn_doc *doc, bool *is_batch)
{
    SIM_ASSERT(b && b->a && doc && is_batch, "a batch with its flags, and the scenario");
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
    *is_batch = cli_scenario_is_batch(b->a, doc); /* the rule main.c decided by (cli/session.c) */
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
int bat_plan_ensemble(bat_batch *b, const scn_doc *doc)
{
    SIM_ASSERT(b && b->a && doc, "a batch with its flags, and the scenario");
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
int bat_plan_runs(bat_batch *b, const scn_doc *doc)
{
    SIM_ASSERT(b && b->a && doc, "a batch with its flags, and the scenario");
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
int bat_plan_validate(bat_batch *b)
{
    SIM_ASSERT(b && b->a, "a batch with its flags");
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
int bat_plan_check_memory(bat_batch *b, int jobs)
{
    SIM_ASSERT(b && b->a && jobs >= 1, "a batch with its flags, %d jobs", jobs);
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

void bat_batch_free(bat_batch *b)
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

