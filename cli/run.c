/* run.c: the run, validate and describe commands: the days of a session
 * opened by cli/session.c, the results folder they write (the day tables,
 * the tables of the end, transfers.csv, the manifest) and its location.
 *
 * A run writes its results folder under a temporary name and moves it into
 * place only when complete, so a failed run leaves nothing behind and harms
 * no earlier results; SIGINT/SIGTERM stop at the end of the current day and
 * keep what was run, marked status=interrupted in the manifest. A run (and a
 * batch) ends with a line per KPI target.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
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
#include "sim/assert.h"
#include "sim/calendar.h"
#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/output.h"
#include "sim/progress.h"
#include "sim/scenario.h"
#include "sim/table.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
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

/* An argument the shell reads as it is, unquoted. */
static bool shell_safe(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_./=:,+@%-", c)))
            return false;
    }
    return true;
}

void cli_write_command(FILE *m, int argc, char **argv)
{
    fprintf(m, "command = \"");
    for (int i = 0; i < argc; i++) {
        if (i)
            fputc(' ', m);
        if (shell_safe(argv[i])) {
            fputs(argv[i], m);
            continue;
        }
        fputc('\'', m);
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'')
                fputs("'\\''", m);
            else
                fputc(*c, m);
        }
        fputc('\'', m);
    }
    fprintf(m, "\"\n");
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
        fprintf(m, "cwd = %s\n", cwd);
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

int cli_run_session(cli_session *s, int argc, char **argv, const cli_hooks *hooks)
{
    SIM_ASSERT(s && s->doc && s->world && s->eng && s->errs, "the session is open (cli_session_open)");
    cli_args a = *s->a;
    const scn_doc *doc = s->doc;
    wld_world *w = s->world;
    eng_engine *eng = s->eng;
    err_list *errs = s->errs;
    int status;
    if (a.checkpoint_every > 0 || a.resume_dir) { /* checkpoints, resume: docs/checkpoint.md */
        status = cli_ckp_prepare(&a, w, eng);
        if (status != EXIT_OK)
            return status;
    }
    char root[4096], name[1024], ckp_err[8192], final_dir[5200];
    cli_results_location(doc, &a, root, sizeof root, name, sizeof name);
    snprintf(final_dir, sizeof final_dir, "%s/%s", root, name);
    if (!out_check_kind(final_dir, "run", errs)) { /* before any simulation: bad usage */
        err_print(errs, stderr);
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
    while (cli_session_go_on(s, status == EXIT_OK && !eng_finished(eng) && !stop_requested)) {
        if (!eng_step_day(eng)) {
            fprintf(stderr, "ecnysim: run failed: %s\n", eng_failed(eng) ? eng_failed(eng) : "unknown");
            cli_session_fail(s);
            status = EXIT_RUNTIME;
            break;
        }
        write_frame(cli_session_frame(s), &tf); /* every rank's rows, under mpirun */
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
            cli_session_fail(s);
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
            char dir[sizeof root + sizeof name + 2];
            snprintf(dir, sizeof dir, "%s/%s", root, name);
            cli_print_run_kpis(dir, stderr);
        }
    } else if (run) {
        if (out_failed(run))
            err_add_kind(errs, ERR_IO, "%s (previous results, if any, are untouched)", out_error(run));
        out_abort(run);
    }
    if (status == EXIT_OK && (a.checkpoint_every > 0 || a.resume_dir))
        cli_ckp_remove(root, name); /* complete: the checkpoint is no longer needed */
    err_print(errs, stderr);
    return status;
}

/* ------------------------------------------------------------ KPI lines */

/* The few lines a run or a batch prints at its end about its KPI targets,
 * so a planner sees at once whether a target was met (a run: kpi.csv) or how
 * likely it is (a batch, cli/batch.c: kpi_summary.csv, with and without the
 * model's own error), without opening the files. They read back the files
 * just committed (by column name); nothing when there are none. At most
 * CLI_KPI_LINES lines, then how many more are in the file. */
#define CLI_KPI_LINES 12

/* v in words a planner reads: 637.2 bn, 1.34 trillion, 26.9 M, 930000. */
static const char *amount(char *buf, size_t len, double v)
{
    double a = fabs(v);
    if (a >= 1e12)
        snprintf(buf, len, "%.2f trillion", v / 1e12);
    else if (a >= 1e9)
        snprintf(buf, len, "%.1f bn", v / 1e9);
    else if (a >= 1e7)
        snprintf(buf, len, "%.1f M", v / 1e6);
    else
        snprintf(buf, len, "%.0f", v);
    return buf;
}

/* The table at dir/file with the columns, or NULL (and nothing said) when
 * there is none or it is not what was written. */
static tab_table *read_back(const char *dir, const char *file, const char *const *cols, size_t n)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return NULL;
    err_init(errs);
    tab_table *t = tab_read(path, cols, n, errs);
    free(errs);
    return t;
}

static double number(const tab_table *t, size_t row, const char *col)
{
    char *end;
    const char *s = tab_get(t, row, col);
    double v = strtod(s, &end);
    return *s && !*end ? v : NAN;
}

void cli_print_run_kpis(const char *dir, FILE *to)
{
    static const char *const cols[] = {"kpi",      "city",        "unit",         "target",          "achieved",
                                       "attainment_pct", "reached_on", "projected_on", "deadline",
                                       "met_by_deadline", "last_date"};
    tab_table *t = read_back(dir, "kpi.csv", cols, sizeof cols / sizeof cols[0]);
    size_t n = t ? tab_rows(t) : 0;
    for (size_t r = 0; r < n && r < CLI_KPI_LINES; r++) {
        char a[48], b[48], verdict[128];
        const char *by = tab_get(t, r, "met_by_deadline"), *reached = tab_get(t, r, "reached_on"),
                   *deadline = tab_get(t, r, "deadline"), *projected = tab_get(t, r, "projected_on");
        /* met_by_deadline decides: a target reached after its deadline was not met */
        if (strcmp(by, "yes") == 0)
            snprintf(verdict, sizeof verdict, "met on %s (deadline %s)", reached, deadline);
        else if (reached[0])
            snprintf(verdict, sizeof verdict, "not met: reached on %s, after the deadline %s", reached, deadline);
        else if (strcmp(by, "projected") == 0)
            snprintf(verdict, sizeof verdict, "not met yet: on its trend by %s (deadline %s)", projected, deadline);
        else if (projected[0])
            snprintf(verdict, sizeof verdict, "not met by the deadline %s (on its trend by %s)", deadline, projected);
        else
            snprintf(verdict, sizeof verdict, "not met by the deadline %s", deadline);
        fprintf(to, "  KPI %s (%s): %s of %s %s on %s (%.1f %%): %s\n", tab_get(t, r, "kpi"), tab_get(t, r, "city"),
                amount(a, sizeof a, number(t, r, "achieved")), amount(b, sizeof b, number(t, r, "target")),
                tab_get(t, r, "unit"), tab_get(t, r, "last_date"), number(t, r, "attainment_pct"), verdict);
    }
    if (n > CLI_KPI_LINES)
        fprintf(to, "  ... %zu more in %s/kpi.csv\n", n - CLI_KPI_LINES, dir);
    tab_free(t);
}

void cli_print_batch_kpis(const char *dir, FILE *to)
{
    static const char *const cols[] = {"point", "kpi", "city", "attainment_p05", "attainment_p50", "attainment_p95",
                                       "p_attained", "attainment_p05_with_model_error",
                                       "attainment_p95_with_model_error", "p_attained_with_model_error"};
    tab_table *t = read_back(dir, "kpi_summary.csv", cols, sizeof cols / sizeof cols[0]);
    size_t n = t ? tab_rows(t) : 0;
    bool points = n > 0 && strcmp(tab_get(t, n - 1, "point"), "1") != 0;
    for (size_t r = 0; r < n && r < CLI_KPI_LINES; r++) {
        char where[64] = "";
        if (points)
            snprintf(where, sizeof where, ", point %s", tab_get(t, r, "point"));
        fprintf(to, "  KPI %s (%s%s): attainment %.1f %% (5-95 %%: %.1f-%.1f %%), P(met) %.2f", tab_get(t, r, "kpi"),
                tab_get(t, r, "city"), where, 100 * number(t, r, "attainment_p50"),
                100 * number(t, r, "attainment_p05"), 100 * number(t, r, "attainment_p95"),
                number(t, r, "p_attained"));
        double p = number(t, r, "p_attained_with_model_error");
        if (!isnan(p))
            fprintf(to, "; with the model's error %.1f-%.1f %%, P(met) %.2f",
                    100 * number(t, r, "attainment_p05_with_model_error"),
                    100 * number(t, r, "attainment_p95_with_model_error"), p);
        fprintf(to, "\n");
    }
    if (n > CLI_KPI_LINES)
        fprintf(to, "  ... %zu more in %s/kpi_summary.csv\n", n - CLI_KPI_LINES, dir);
    tab_free(t);
}

/* validate: the scenario checked and its world built, not run; a [peer]
 * scenario (the declared payments economy, run by cli/peer.c instead of the
 * cities) is checked without building cities. */
int cli_validate(const cli_args *a)
{
    cli_session s;
    int status = cli_session_begin(&s, a, false);
    if (status == EXIT_OK && cli_session_peer(&s)) {
        const scn_instance *peer = scn_single(s.doc, "peer");
        printf("%s: valid: the declared payments economy (docs/benchmark.md), %lld residents, %lld days\n",
               a->scenario, (long long)scn_int(peer, "residents"), (long long)scn_int(peer, "days"));
    } else if (status == EXIT_OK && (status = cli_session_load(&s, true)) == EXIT_OK) {
        printf("%s: valid: %d days from ", a->scenario, wld_days(s.world));
        char d[CAL_DATE_LEN];
        cal_format(wld_start_day(s.world), d);
        printf("%s, %llu agents, %.1f MiB\n", d, (unsigned long long)wld_agents(s.world),
               (double)wld_bytes(s.world) / 1048576.0);
    }
    cli_session_close(&s);
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

