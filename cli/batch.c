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
 * for the summary. *
 * The plan (swept keys, points, every run's --set list and seed, the checks
 * before anything runs) is cli/batch_plan.c; the summaries cli/summary.c.
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

/* ---- small helpers ---- */

uint64_t bat_seed(uint64_t base, int replication)
{
    SIM_ASSERT(replication >= 1, "replication %d (1-based)", replication);
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
    SIM_ASSERT(path && t && errs, "a path, a table and an error list");
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
    SIM_ASSERT(t && name, "a table and a column name");
    for (int i = 0; i < t->n_val; i++)
        if (strcmp(t->val_name[i], name) == 0)
            return i;
    return -1;
}

/* ---- assembling the combined files, in run order ---- */

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
    if (b->model_error_path[0])
        fprintf(m, "model_error = %s\nmodel_error_hash = %016llx\n", b->model_error_path,
                (unsigned long long)b->model_error_hash);
    else
        fprintf(m, "model_error = none\n");
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
    int status = bat_plan_read(&b, doc, &is_batch);
    if (status == EXIT_OK && !is_batch) {
        tell_ranks(dist, PLAN_ALONE);
        bat_batch_free(&b);
        scn_free(doc);
        return cli_run(a, argc, argv, NULL);
    }
    int jobs = a->jobs ? a->jobs : 1;
    if (status == EXIT_OK)
        status = bat_plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = bat_read_model_error(&b, doc);
    if (status == EXIT_OK)
        status = bat_plan_runs(&b, doc);
    if (status == EXIT_OK)
        status = bat_plan_validate(&b);
    if (status == EXIT_OK)
        status = bat_plan_check_memory(&b, jobs);
    b.errs = malloc(sizeof *b.errs);
    if (status == EXIT_OK && !b.errs)
        status = EXIT_RUNTIME;
    if (status != EXIT_OK) {
        tell_ranks(dist, status);
        bat_batch_free(&b);
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
        const char *stail[] = {"date", "city", "metric", "runs", "mean", "sd", "p05", "p50", "p95",
                               "model_error_sd_log", "p05_with_model_error", "p95_with_model_error"};
        for (int c = 0; c < 12; c++)
            cols[n++] = stail[c];
        b.sum_csv = out_csv_open(b.out, "summary.csv", cols, (size_t)n);
    }
    if (!b.out || !b.runs_csv || (!b.all_csv && !b.summary_only) || !b.sum_csv) {
        if (b.out)
            err_add_kind(b.errs, ERR_IO, "%s", out_error(b.out));
        err_print(b.errs, stderr);
        out_abort(b.out);
        tell_ranks(dist, EXIT_RUNTIME);
        bat_batch_free(&b);
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
            char dir[sizeof root + sizeof name + 2];
            snprintf(dir, sizeof dir, "%s/%s", root, name);
            cli_print_batch_kpis(dir, stderr);
        }
    } else {
        if (out_failed(b.out))
            err_add_kind(b.errs, ERR_IO, "%s", out_error(b.out));
        out_abort(b.out);
    }
    err_print(b.errs, stderr);
    bat_batch_free(&b);
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
    int status = doc ? bat_plan_read(&b, doc, &is_batch) : EXIT_RUNTIME;
    if (status == EXIT_OK && !is_batch)
        status = EXIT_RUNTIME;
    if (status == EXIT_OK)
        status = bat_plan_ensemble(&b, doc);
    if (status == EXIT_OK)
        status = bat_plan_runs(&b, doc);
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
    bat_batch_free(&b);
    scn_free(doc);
    /* EXIT_OK whatever the batch did: rank 0 gives its status, and a rank
     * exiting non-zero first would make mpirun end rank 0 mid-cleanup. */
    return EXIT_OK;
}

int bat_cli_ranks(const cli_args *a, int argc, char **argv)
{
    SIM_ASSERT(a && argc > 0 && argv, "the command line");
    if (dst_size() <= 1)
        return cli_batch(a, argc, argv);
    return dst_rank() == 0 ? batch_main(a, argc, argv, true) : batch_worker(a, argv);
}

