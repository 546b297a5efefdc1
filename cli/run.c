/* run.c: the run, validate and describe commands.
 *
 * A run writes its results folder under a temporary name and moves it into
 * place only when complete, so a failed run leaves nothing behind and harms
 * no earlier results; SIGINT/SIGTERM stop at the end of the current day and
 * keep what was run, marked status=interrupted in the manifest.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/data.h"
#include "models/schema.h"
#include "models/world.h"
#include "sim/calendar.h"
#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/output.h"
#include "sim/progress.h"
#include "sim/scenario.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The data a batch's parent loaded before forking its runs (cli_preload_data):
 * a child whose scenario locates the same data folder copies it instead of
 * reading the files again. */
static struct {
    bool set;
    char dir[4096];
    dat_set data;
} preloaded;

void cli_preload_data(const char *dir, const dat_set *data)
{
    preloaded.set = snprintf(preloaded.dir, sizeof preloaded.dir, "%s", dir) < (int)sizeof preloaded.dir;
    preloaded.data = *data;
}

/* The data folder must exist: say which scenario key named it and where it
 * was looked for (a scenario run from another folder is the usual case). */
static bool data_dir_found(const scn_doc *doc, const char *dir, err_list *errs)
{
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return true;
    const scn_instance *sc = scn_single(doc, "scenario");
    char where[4200], cwd[2048];
    scn_where(doc, sc, "data_dir", where, sizeof where);
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    err_add(errs, "%s: data_dir '%s' in [scenario%s]: no such folder (looked in %s, beside the scenario %s%s): "
                  "expected the folder holding cities.csv, banks.csv and merchant_categories.csv, absolute or "
                  "relative to the scenario",
            where, scn_str(sc, "data_dir"), scn_is_set(sc, "data_dir") ? "" : ", the default", cwd,
            scn_path(doc), strcmp(scn_str(sc, "data_dir"), "data") == 0 ? " and the installed data" : "");
    return false;
}

/* After errors in the data files: one line naming the scenario key that chose them. */
static void data_dir_note(const scn_doc *doc, const char *dir, err_list *errs)
{
    const scn_instance *sc = scn_single(doc, "scenario");
    char where[4200], absolute[PATH_MAX];
    scn_where(doc, sc, "data_dir", where, sizeof where);
    err_add(errs, "%s: the data files above are in data_dir '%s' of [scenario] (%s)", where, scn_str(sc, "data_dir"),
            realpath(dir, absolute) ? absolute : dir);
}

/* The last date a run may reach: the schema's bound on [scenario] end. */
static int32_t last_date_allowed(void)
{
    for (size_t s = 0; s < ecny_schema.n_sections; s++) {
        const scn_section *sec = &ecny_schema.sections[s];
        if (strcmp(sec->name, "scenario") != 0)
            continue;
        for (size_t k = 0; k < sec->n_keys; k++)
            if (strcmp(sec->keys[k].key, "end") == 0)
                return (int32_t)sec->keys[k].max;
    }
    return INT32_MAX;
}

bool cli_check_name(const char *name, const char *what, const char *where, err_list *errs)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= CLI_NAME_MAX && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
    for (const char *c = name; ok && *c; c++)
        ok = (unsigned char)*c >= 0x20 && *c != 0x7f;
    if (!ok)
        err_add(errs, "%s: %s is '%.80s%s': expected a folder name of 1 to %d characters, without '/' or control "
                      "characters, not '.' or '..'",
                where, what, name, n > 80 ? "..." : "", CLI_NAME_MAX);
    return ok;
}

bool cli_check_scenario(const scn_doc *doc, err_list *errs)
{
    const scn_instance *sc = scn_single(doc, "scenario");
    char where[4200];
    bool ok = true;
    if (scn_has(sc, "name")) {
        scn_where(doc, sc, "name", where, sizeof where);
        ok &= cli_check_name(scn_str(sc, "name"), "'name' in [scenario]", where, errs);
    }
    if (!scn_has(sc, "end")) {
        int32_t last = last_date_allowed();
        int64_t end = (int64_t)scn_date(sc, "start") + scn_int(sc, "days") - 1;
        if (end > last) {
            char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
            cal_format(last, b);
            scn_where(doc, sc, "days", where, sizeof where);
            err_add(errs, "%s: 'days' in [scenario] is %lld: the run would go past %s, the last date 'end' accepts: "
                          "expected at most %lld days from %s",
                    where, (long long)scn_int(sc, "days"), b, (long long)(last - scn_date(sc, "start") + 1),
                    (cal_format(scn_date(sc, "start"), a), a));
            ok = false;
        }
    }
    return ok;
}

/* Loads and checks everything a run needs; prints every error. */
static int load_all(const cli_args *a, scn_doc **doc_out, dat_set **data_out, wld_world **world_out)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs) {
        fprintf(stderr, "ecnysim: out of memory\n");
        return EXIT_RUNTIME;
    }
    err_init(errs);
    int status = EXIT_OK;
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    dat_set *data = NULL;
    wld_world *world = NULL;
    if (doc && !cli_check_scenario(doc, errs)) {
        scn_free(doc);
        doc = NULL;
    }
    if (doc) {
        data = malloc(sizeof *data);
        char located[4096];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        bool have = false;
        if (data && preloaded.set && strcmp(dir, preloaded.dir) == 0) {
            *data = preloaded.data;
            have = true;
        }
        if (!data)
            err_add_kind(errs, ERR_MEMORY, "out of memory");
        else if (!have && !data_dir_found(doc, dir, errs))
            ;
        else if (have || dat_load(dir, data, errs))
            world = cli_world_create(doc, data, errs); /* this rank's cities (cli/mpi.c) */
        else
            data_dir_note(doc, dir, errs);
    }
    if (!world) {
        if (errs->count == 0) /* a loader gave up without a message: only an allocation does that */
            err_add_kind(errs, ERR_MEMORY, "out of memory loading the scenario");
        err_print(errs, stderr);
        status = err_exit_status(errs); /* memory: 1; a bad scenario or data: 2 */
        scn_free(doc);
        free(data);
        doc = NULL;
        data = NULL;
    }
    free(errs);
    *doc_out = doc;
    *data_out = data;
    *world_out = world;
    return status;
}

void cli_results_location(const scn_doc *doc, const cli_args *a, char *root, size_t root_len, char *name,
                          size_t name_len)
{
    const scn_instance *sc = scn_single(doc, "scenario");
    if (a->out) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", a->out);
        size_t n = strlen(tmp);
        while (n > 1 && tmp[n - 1] == '/')
            tmp[--n] = '\0';
        char *slash = strrchr(tmp, '/');
        if (slash) {
            *slash = '\0';
            snprintf(root, root_len, "%s", tmp[0] ? tmp : "/");
            snprintf(name, name_len, "%s", slash + 1);
        } else {
            snprintf(root, root_len, ".");
            snprintf(name, name_len, "%s", tmp);
        }
        return;
    }
    snprintf(root, root_len, "%s", scn_str(sc, "results_dir"));
    if (scn_has(sc, "name")) {
        snprintf(name, name_len, "%s", scn_str(sc, "name"));
        return;
    }
    const char *base = strrchr(a->scenario, '/');
    base = base ? base + 1 : a->scenario;
    snprintf(name, name_len, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
}

typedef struct {
    out_csv *csv[SNAP_MAX_TABLES];
    int n;
} table_files;

static bool open_tables(out_run *run, const snap_frame *f, table_files *tf)
{
    tf->n = f->n_tables;
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        const char *cols[256];
        int n = 0;
        tf->csv[t] = NULL;
        if (tb->at_end)
            continue; /* written by write_end_tables */
        cols[n++] = "date";
        cols[n++] = tb->row_key ? tb->row_key : "city";
        for (int c = 0; c < tb->n_columns && n < 256; c++)
            cols[n++] = tb->column[c];
        tf->csv[t] = out_csv_open(run, tb->file, cols, (size_t)n);
        if (!tf->csv[t])
            return false;
    }
    return true;
}

static void write_frame(const snap_frame *f, table_files *tf)
{
    char date[CAL_DATE_LEN];
    cal_format(f->day, date);
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        for (int r = 0; r < tb->n_rows && !tb->at_end; r++) {
            out_csv_str(tf->csv[t], date);
            out_csv_str(tf->csv[t], tb->row_city[r]);
            for (int c = 0; c < tb->n_columns; c++)
                out_csv_int(tf->csv[t], tb->value[(size_t)r * tb->n_columns + c]);
            out_csv_end_row(tf->csv[t]);
        }
    }
}

/* Tables the models publish once, for the whole run (programmes.csv,
 * kpi.csv): the frame of the last day run holds their final cells. */
static bool write_end_tables(out_run *run, const snap_frame *f)
{
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        if (!tb->at_end)
            continue;
        out_csv *csv = out_csv_open(run, tb->file, tb->column, (size_t)tb->n_columns);
        if (!csv)
            return false;
        for (int r = 0; r < tb->n_rows; r++) {
            for (int c = 0; c < tb->n_columns; c++)
                out_csv_str(csv, tb->text[(size_t)r * tb->n_columns + c]);
            out_csv_end_row(csv);
        }
    }
    return !out_failed(run);
}

static void write_manifest(FILE *m, const scn_doc *doc, const wld_world *w, const eng_engine *eng, int argc,
                           char **argv, const char *status)
{
    char start[CAL_DATE_LEN], last[CAL_DATE_LEN];
    cal_format(wld_start_day(w), start);
    int32_t done = eng_day_index(eng);
    cal_format(wld_start_day(w) + (done > 0 ? done - 1 : 0), last);
    fprintf(m, "; manifest.ini: how this results folder was made. The [scenario] and later sections\n"
               "; are the resolved scenario, every default filled: 'ecnysim run' accepts this file.\n");
    fprintf(m, "\n[run]\nstatus = %s\nversion = %s\nscenario_file = %s\nscenario_hash = %016llx\nseed = %llu\n",
            status, ECNYSIM_VERSION, scn_path(doc), (unsigned long long)scn_hash(doc),
            (unsigned long long)wld_seed(w));
    fprintf(m, "days_run = %d\ndays_planned = %d\nfirst_date = %s\nlast_date = %s\n", done, wld_days(w), start,
            done > 0 ? last : "none");
    cli_write_command(m, argc, argv); /* command = "..." (shell-quoted), cwd = ... */
    /* Where the data was found, absolute, so replay works from any folder. */
    char located[4096], absolute[PATH_MAX];
    const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                 sizeof located);
    fprintf(m, "data_dir = %s\n", realpath(dir, absolute) ? absolute : dir);
    scn_write_resolved(doc, m);
}

/* transfers.csv (--trace): one row per sampled ledger transfer. Account
 * numbers are the ledger's own indices, stable within a run. */
typedef struct {
    out_csv *csv;
    const snap_frame *frame;
} trace_writer;

static void write_transfer(void *ctx, const led_transfer *t)
{
    trace_writer *tw = ctx;
    char date[CAL_DATE_LEN];
    cal_format(t->day, date);
    out_csv_int(tw->csv, (int64_t)t->seq);
    out_csv_str(tw->csv, date);
    out_csv_str(tw->csv, t->city < tw->frame->n_cities ? tw->frame->city[t->city].name : "");
    out_csv_str(tw->csv, led_transfer_kind_name((enum led_transfer_kind)t->kind));
    out_csv_str(tw->csv, t->reason == LED_OK ? "posted" : led_reason_name((enum led_reason)t->reason));
    out_csv_int(tw->csv, t->from == LED_NONE ? -1 : (int64_t)t->from);
    out_csv_int(tw->csv, t->to == LED_NONE ? -1 : (int64_t)t->to);
    out_csv_int(tw->csv, t->amount_fen);
    out_csv_end_row(tw->csv);
}

int cli_run(const cli_args *args, int argc, char **argv, const cli_hooks *hooks)
{
    cli_args a = *args;
    int status;
    scn_doc *doc;
    dat_set *data;
    wld_world *w;
    bool peer_run; /* [peer] residents > 0: the declared payments economy instead */
    status = cli_run_peer(&a, argc, argv, &peer_run);
    if (peer_run)
        return status;
    status = load_all(&a, &doc, &data, &w);
    if (status != EXIT_OK)
        return status;
    err_list *errs = malloc(sizeof *errs);
    eng_engine *eng = eng_alloc(wld_start_day(w), wld_days(w), 4096, (size_t)1 << 30);
    if (!errs || !eng || !wld_attach(w, eng)) {
        fprintf(stderr, "ecnysim: out of memory setting up the engine\n");
        cli_dist_fail();
        free(errs);
        eng_free(eng);
        wld_free(w);
        free(data);
        scn_free(doc);
        return EXIT_RUNTIME;
    }
    err_init(errs);
    if (a.checkpoint_every > 0 || a.resume_dir) { /* checkpoints, resume: docs/checkpoint.md */
        status = cli_ckp_prepare(&a, w, eng);
        if (status != EXIT_OK) {
            free(errs);
            eng_free(eng);
            wld_free(w);
            free(data);
            scn_free(doc);
            return status;
        }
    }
    char root[4096], name[1024], ckp_err[8192], final_dir[5200];
    cli_results_location(doc, &a, root, sizeof root, name, sizeof name);
    snprintf(final_dir, sizeof final_dir, "%s/%s", root, name);
    if (!out_check_kind(final_dir, "run", errs)) { /* before any simulation: bad usage */
        err_print(errs, stderr);
        free(errs);
        eng_free(eng);
        wld_free(w);
        free(data);
        scn_free(doc);
        return EXIT_BADINPUT;
    }
    /* Handlers first: a signal once the .partial folder exists must end in
     * a clean stop (committed, status=interrupted), never a kill that leaves it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    out_run *run = out_begin(root, name, errs);
    if (run)
        out_set_compress(run, a.compress);
    table_files tf;
    status = EXIT_OK;
    if (!run || !open_tables(run, wld_frame(w), &tf)) {
        if (run)
            err_add_kind(errs, ERR_IO, "%s", out_error(run));
        status = EXIT_RUNTIME;
    }
    for (int t = 0; status == EXIT_OK && a.resume_dir && t < tf.n; t++) /* the rows up to the checkpoint */
        if (tf.csv[t] && !cli_ckp_restore_rows(&a, wld_frame(w)->table[t].file, tf.csv[t], ckp_err, sizeof ckp_err)) {
            err_add(errs, "%s", ckp_err);
            status = EXIT_BADINPUT;
        }
    trace_writer trace = {NULL, wld_frame(w)};
    if (status == EXIT_OK && a.trace_rate > 0) {
        static const char *const cols[] = {"seq", "date", "city", "kind", "outcome", "from", "to", "amount_fen"};
        trace.csv = out_csv_open(run, "transfers.csv", cols, sizeof cols / sizeof cols[0]);
        if (!trace.csv) {
            err_add_kind(errs, ERR_IO, "%s", out_error(run));
            status = EXIT_RUNTIME;
        } else {
            wld_set_trace(w, write_transfer, &trace, a.trace_rate);
        }
    }
    prog_bar bar;
    prog_begin(&bar, stderr, a.quiet, 1);
    while (cli_dist_go_on(status == EXIT_OK && !eng_finished(eng) && !stop_requested)) {
        if (!eng_step_day(eng)) {
            fprintf(stderr, "ecnysim: run failed: %s\n", eng_failed(eng) ? eng_failed(eng) : "unknown");
            cli_dist_fail();
            status = EXIT_RUNTIME;
            break;
        }
        write_frame(cli_dist_frame(w), &tf); /* every rank's rows, under mpirun */
        if (hooks && hooks->on_day && !hooks->on_day(hooks->ctx, wld_frame(w), eng))
            stop_requested = 1;
        if (out_failed(run)) {
            status = EXIT_RUNTIME;
            break;
        }
        if (a.checkpoint_every > 0 &&
            !cli_ckp_maybe(&a, doc, w, eng, run, root, name, stop_requested, ckp_err, sizeof ckp_err)) {
            err_add(errs, "%s", ckp_err);
            status = EXIT_RUNTIME;
            break;
        }
        prog_update(&bar, (double)eng_day_index(eng) / eng_days(eng), wld_frame(w)->day, eng_day_index(eng),
                    eng_days(eng), 0, false);
    }
    prog_update(&bar, (double)eng_day_index(eng) / eng_days(eng), wld_frame(w)->day, eng_day_index(eng),
                eng_days(eng), 0, true);
    prog_end(&bar);
    if (status == EXIT_OK && a.checkpoint_every > 0 && stop_requested &&
        !cli_ckp_maybe(&a, doc, w, eng, run, root, name, true, ckp_err, sizeof ckp_err)) {
        err_add_kind(errs, ERR_IO, "%s", ckp_err);
        status = err_exit_status(errs);
    }
    if (status == EXIT_OK && eng_day_index(eng) > 0) {
        /* Every account, whatever check_ledger says: the days' checks are the
         * running sums and a rotating 1/64 of the accounts (sim/ledger.h). */
        char why[256];
        if (!led_check(wld_ledger(w), why, sizeof why)) {
            fprintf(stderr, "ecnysim: run failed: ledger invariant broken at the end of the run (seed %llu): %s\n",
                    (unsigned long long)wld_seed(w), why);
            cli_dist_fail();
            status = EXIT_RUNTIME;
        }
    }
    if (status == EXIT_OK && !write_end_tables(run, wld_frame(w)))
        status = EXIT_RUNTIME;
    if (stop_requested && eng_finished(eng))
        stop_requested = 0; /* the signal came after the last day: the run is complete */
    if (status == EXIT_OK) {
        FILE *m = out_text_open(run, "manifest.ini");
        if (m)
            write_manifest(m, doc, w, eng, argc, argv, stop_requested ? "interrupted" : "complete");
        if (!out_commit(run, errs)) {
            status = EXIT_RUNTIME;
        } else if (stop_requested) {
            err_add_kind(errs, ERR_INTERRUPTED, "interrupted after %d of %d days; results so far in %s/%s (status=interrupted)",
                         eng_day_index(eng), eng_days(eng), root, name);
            status = err_exit_status(errs);
        } else if (!a.quiet) {
            fprintf(stderr, "ecnysim: %d days, %llu agents: results in %s/%s\n", eng_days(eng),
                    (unsigned long long)wld_agents(w), root, name);
        }
    } else if (run) {
        if (out_failed(run))
            err_add_kind(errs, ERR_IO, "%s (previous results, if any, are untouched)", out_error(run));
        out_abort(run);
    }
    if (status == EXIT_OK && (a.checkpoint_every > 0 || a.resume_dir))
        cli_ckp_remove(root, name); /* complete: the checkpoint is no longer needed */
    err_print(errs, stderr);
    free(errs);
    eng_free(eng);
    wld_free(w);
    free(data);
    scn_free(doc);
    return status;
}

/* validate of a [peer] scenario (the declared payments economy, run by
 * cli/peer.c instead of the cities): the scenario checked, no cities
 * built. Returns -1 when the scenario is not a peer one. */
static int validate_peer(const cli_args *a)
{
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return -1;
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, errs);
    int status = -1;
    if (doc && scn_int(scn_single(doc, "peer"), "residents") > 0) {
        const scn_instance *peer = scn_single(doc, "peer");
        printf("%s: valid: the declared payments economy (docs/benchmark.md), %lld residents, %lld days\n",
               a->scenario, (long long)scn_int(peer, "residents"), (long long)scn_int(peer, "days"));
        status = EXIT_OK;
    }
    scn_free(doc);
    free(errs);
    return status;
}

int cli_validate(const cli_args *args)
{
    cli_args a = *args;
    int status = validate_peer(&a);
    if (status >= 0)
        return status;
    scn_doc *doc;
    dat_set *data;
    wld_world *w;
    status = load_all(&a, &doc, &data, &w);
    if (status == EXIT_OK) {
        printf("%s: valid: %d days from ", a.scenario, wld_days(w));
        char d[CAL_DATE_LEN];
        cal_format(wld_start_day(w), d);
        printf("%s, %llu agents, %.1f MiB\n", d, (unsigned long long)wld_agents(w),
               (double)wld_bytes(w) / 1048576.0);
    }
    wld_free(w);
    free(data);
    scn_free(doc);
    return status;
}

int cli_describe(int argc, char **argv)
{
    bool markdown = false;
    const char *section = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            markdown = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "ecnysim: unknown option '%s' for describe: expected [SECTION] [--markdown]\n", argv[i]);
            return EXIT_BADINPUT;
        } else
            section = argv[i];
    }
    if (!scn_describe(&ecny_schema, section, markdown, stdout)) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < ecny_schema.n_sections; i++) {
            size_t d = scn_edit_distance(section, ecny_schema.sections[i].name);
            if (d < best_d) {
                best_d = d;
                best = ecny_schema.sections[i].name;
            }
        }
        size_t len = strlen(section);
        if (best && best_d <= (len < 6 ? 2 : len / 3 + 1))
            fprintf(stderr, "ecnysim: no section '%s' (did you mean '%s'?): run 'ecnysim describe' for the list\n",
                    section, best);
        else
            fprintf(stderr, "ecnysim: no section '%s': run 'ecnysim describe' for the list\n", section);
        return EXIT_BADINPUT;
    }
    return EXIT_OK;
}

