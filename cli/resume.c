/* resume.c: checkpoints of a run and the resume command (docs/checkpoint.md).
 *
 * With --checkpoint-every DAYS, after every DAYS-th simulated day (and on a
 * clean SIGINT/SIGTERM stop) the run writes ROOT/NAME.checkpoint/:
 *   state.ckp     the whole state (sim/checkpoint.h): engine and pending
 *                 events, every city, the ledger, the programmes, streams;
 *   scenario.ini  the resolved scenario the run uses (resume loads it);
 *   daily.csv ... copies of the CSV tables written so far (flushed);
 *   manifest.ini  status = checkpoint, the day it was taken.
 * The folder is built under ROOT/.NAME.checkpoint.tmp-PID and swapped into
 * place in one step (ckp_commit_dir), so a SIGKILL at any moment leaves the
 * previous checkpoint or the new one, whole. The results folder itself is
 * still written under its temporary name and renamed only when complete
 * (sim/output.c); the checkpoint folder is the stable, discoverable place a
 * killed run resumes from. A complete run removes it.
 *
 * 'resume DIR' finds the checkpoint (DIR, DIR.checkpoint), checks it whole
 * and that its scenario.ini is unmodified, then runs the scenario through
 * cli_run with resume_dir set: the state is loaded after the world is built
 * and the CSV rows up to the checkpoint are written before the next day, so
 * the finished files are byte-identical to a run that was never stopped.
 * With --set the run is a branch: only behavioural keys may change (not
 * population, sizes or dates fixed at setup), into --out NEWDIR.
 */
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/world.h"
#include "sim/checkpoint.h"
#include "cli/cli.h"
#include "sim/dist.h"
#include "sim/output.h"
#include "sim/scenario.h"

#define RES_PATH 4096

/* The day of the last checkpoint written or loaded by this process (one
 * run per process), so a stop right after one does not write it twice. */
static int32_t last_ckp_day = -1;
static char orig_scenario[RES_PATH];

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cli_ckp_prepare(const cli_args *a, wld_world *w, eng_engine *eng)
{
    const char *why = dst_size() > 1 ? "this is an MPI run of several ranks (checkpoints are single-process for now)"
                                     : wld_checkpoint_unsupported(w);
    if (why) {
        fprintf(stderr, "ecnysim: %s cannot be used here: %s (docs/checkpoint.md)\n",
                a->resume_dir ? "resume" : "--checkpoint-every", why);
        return EXIT_BADINPUT;
    }
    last_ckp_day = -1;
    if (!a->resume_dir)
        return EXIT_OK;
    char path[RES_PATH + 16], err[8192];
    snprintf(path, sizeof path, "%s/state.ckp", a->resume_dir);
    ckp_header h;
    ckp_reader *r = ckp_open(path, &h, err, sizeof err);
    if (!r) {
        fprintf(stderr, "ecnysim: %s\n", err);
        return EXIT_BADINPUT;
    }
    if (h.seed != wld_seed(w))
        ckp_fail(r, "written for seed %llu, the scenario has seed %llu: expected the same seed",
                 (unsigned long long)h.seed, (unsigned long long)wld_seed(w));
    eng_load(eng, r); /* the order of cli_ckp_maybe's writes */
    if (!ckp_read_failed(r))
        wld_load(w, r);
    if (!ckp_close(r, err, sizeof err)) {
        fprintf(stderr, "ecnysim: %s\n", err);
        return EXIT_BADINPUT;
    }
    snprintf(orig_scenario, sizeof orig_scenario, "%s", h.scenario_file);
    last_ckp_day = h.day_index;
    return EXIT_OK;
}

/* ------------------------------------------------------ rows up to the day */

typedef struct {
    out_csv *csv;
    bool header_done, in_row;
} row_copy;

static void on_field(void *s, size_t len, void *data)
{
    row_copy *rc = data;
    (void)len;
    if (rc->header_done) {
        out_csv_str(rc->csv, s ? (const char *)s : "");
        rc->in_row = true;
    }
}

static void on_row(int c, void *data)
{
    row_copy *rc = data;
    (void)c;
    if (rc->header_done && rc->in_row)
        out_csv_end_row(rc->csv);
    rc->header_done = true;
    rc->in_row = false;
}

bool cli_ckp_restore_rows(const cli_args *a, const char *file, out_csv *csv, char *err, size_t err_len)
{
    char path[RES_PATH + 256];
    snprintf(path, sizeof path, "%s/%s", a->resume_dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot read the checkpoint's rows: %s (expected a complete checkpoint folder)",
                 path, strerror(errno));
        return false;
    }
    /* Parsed and written again field by field: the writer quotes exactly as
     * it did the first time, so the bytes are the same. */
    struct csv_parser p;
    row_copy rc = {csv, false, false};
    bool ok = csv_init(&p, CSV_APPEND_NULL) == 0;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = csv_parse(&p, buf, n, on_field, on_row, &rc) == n;
    ok = ok && !ferror(f) && csv_fini(&p, on_field, on_row, &rc) == 0;
    csv_free(&p);
    fclose(f);
    if (!ok)
        snprintf(err, err_len, "%s: the checkpoint's rows are not valid CSV: expected the file the run wrote", path);
    return ok;
}

/* ------------------------------------------------------------- writing */

static bool write_text_file(const char *path, const scn_doc *doc, const char *manifest_head)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    if (manifest_head)
        fputs(manifest_head, f);
    else {
        fputs("; scenario.ini: the resolved scenario of a checkpointed run (every default filled).\n"
              "; 'ecnysim resume' loads it; it must not be edited (its checksum is in state.ckp):\n"
              "; change parameters with 'resume DIR --set section.key=value --out NEWDIR'.\n", f);
        /* The resolved text writes both 'end' and the default 'days', which
         * the loader then refuses as contradicting: keep only what was given. */
        const scn_instance *sc = scn_single(doc, "scenario");
        bool drop_days = scn_has(sc, "end") && !scn_is_set(sc, "days");
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem) {
            fclose(f);
            return false;
        }
        scn_write_resolved(doc, mem);
        fclose(mem);
        bool in_scenario = false;
        for (char *line = text, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (line[0] == '[')
                in_scenario = strcmp(line, "[scenario]") == 0;
            if (in_scenario && drop_days && strncmp(line, "days = ", 7) == 0)
                fprintf(f, "; %s (not used: end is given)\n", line);
            else
                fprintf(f, "%s\n", line);
        }
        free(text);
    }
    bool ok = !ferror(f) && fflush(f) == 0 && fsync(fileno(f)) == 0;
    return fclose(f) == 0 && ok;
}

bool cli_ckp_maybe(const cli_args *a, const scn_doc *doc, const wld_world *w, const eng_engine *eng, out_run *run,
                   const char *root, const char *name, bool force, char *err, size_t err_len)
{
    int32_t d = eng_day_index(eng);
    if (eng_finished(eng) || d == last_ckp_day || a->checkpoint_every <= 0 ||
        (!force && d % a->checkpoint_every != 0))
        return true;
    if (!out_flush(run)) {
        snprintf(err, err_len, "%s", out_error(run));
        return false;
    }
    char final[RES_PATH + 1100], tmp[RES_PATH + 1200], path[RES_PATH + 1500], src[RES_PATH + 300];
    snprintf(final, sizeof final, "%s/%s.checkpoint", root, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.checkpoint.tmp-%ld", root, name, (long)getpid());
    out_remove_dir(tmp);
    if (mkdir(tmp, 0777) != 0) {
        snprintf(err, err_len, "%s: cannot create the checkpoint folder: %s", tmp, strerror(errno));
        return false;
    }
    const snap_frame *f = wld_frame(w);
    bool ok = true;
    for (int t = 0; t < f->n_tables && ok; t++) {
        if (f->table[t].at_end)
            continue; /* written once, at the end, from the state */
        snprintf(src, sizeof src, "%s/%s", out_temp_dir(run), f->table[t].file);
        snprintf(path, sizeof path, "%s/%s", tmp, f->table[t].file);
        ok = ckp_copy_file(src, path, err, err_len);
    }
    snprintf(path, sizeof path, "%s/scenario.ini", tmp);
    if (ok && !write_text_file(path, doc, NULL)) {
        snprintf(err, err_len, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
        ok = false;
    }
    ckp_header h;
    memset(&h, 0, sizeof h);
    if (ok && !ckp_hash_file(path, &h.scenario_hash)) {
        snprintf(err, err_len, "%s: cannot read back: %s", path, strerror(errno));
        ok = false;
    }
    if (ok) {
        snprintf(h.version, sizeof h.version, "%s", ECNYSIM_VERSION);
        h.seed = wld_seed(w);
        h.start_day = wld_start_day(w);
        h.day_index = d;
        h.n_days = eng_days(eng);
        h.checkpoint_every = a->checkpoint_every;
        snprintf(h.results_root, sizeof h.results_root, "%s", root);
        snprintf(h.results_name, sizeof h.results_name, "%s", name);
        snprintf(h.scenario_file, sizeof h.scenario_file, "%s", orig_scenario[0] ? orig_scenario : scn_path(doc));
        snprintf(path, sizeof path, "%s/state.ckp", tmp);
        ckp_writer *ck = ckp_create(path, &h, err, err_len);
        ok = ck != NULL;
        if (ok) {
            eng_save(eng, ck);
            wld_save(w, ck);
            ok = ckp_finish(ck, err, err_len);
        }
    }
    if (ok) {
        char head[RES_PATH * 3 + 1024], cwd[RES_PATH];
        if (!getcwd(cwd, sizeof cwd))
            cwd[0] = '\0';
        /* cwd: resume runs from it, so a relative data_dir is found as it was. */
        snprintf(head, sizeof head,
                 "; manifest.ini of a checkpoint: 'ecnysim resume %s/%s' continues the run from here.\n"
                 "\n[run]\nstatus = checkpoint\nversion = %s\nscenario_file = %s\nscenario_hash = %016llx\n"
                 "seed = %llu\ndays_run = %d\ndays_planned = %d\ncheckpoint_every = %d\nresults = %s/%s\n"
                 "cwd = %s\n",
                 root, name, ECNYSIM_VERSION, h.scenario_file, (unsigned long long)scn_hash(doc),
                 (unsigned long long)h.seed, d, h.n_days, a->checkpoint_every, root, name, cwd);
        snprintf(path, sizeof path, "%s/manifest.ini", tmp);
        if (!write_text_file(path, NULL, head)) {
            snprintf(err, err_len, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
            ok = false;
        }
    }
    if (ok)
        ok = ckp_commit_dir(tmp, final, err, err_len);
    if (!ok) {
        out_remove_dir(tmp);
        size_t used = strlen(err);
        if (!strstr(err, "previous checkpoint"))
            snprintf(err + used, err_len - used, " (the previous checkpoint, if any, is untouched)");
        return false;
    }
    last_ckp_day = d;
    return true;
}

void cli_ckp_remove(const char *root, const char *name)
{
    char dir[RES_PATH + 1100];
    snprintf(dir, sizeof dir, "%s/%s.checkpoint", root, name);
    out_remove_dir(dir);
}

/* ------------------------------------------------------------- resume */

/* Keys a branch may not change: they size the population, the ledger or a
 * programme's tables at setup, or fix the run's dates and streams. "*" is
 * every key of the section. */
static const char *const fixed_keys[] = {
    "scenario.*", "city.population", "city.area", "city.urban_pct", "wallet_class.*",
    "adoption.elderly_smartphone_pct", "merchants.per_1000_residents", "firms.per_1000_residents",
    "firms.large_pct", "peer.*", "sweep.*", "flow.*", "run.*", "batch.*",
    "airdrop.city", "airdrop.envelopes", "airdrop.pool_yuan", "airdrop.envelope_yuan", "airdrop.merchants",
    "transit.city", "transit.riders_per_day", "transit.trips_per_rider",
    "rural.city", "rural.hard_wallets", "rural.aid_recipients", "rural.coupons",
    "payroll.city", "payroll.employees", "payroll.employers",
    "loans.city", "loans.count", "loans.target_yuan", "loans.size_sigma", "loans.small_micro_pct",
    "incentive.city", "incentive.coupons", "incentive.merchants",
    "kpi.city", "kpi.metric",
};

/* NULL when set may change in a branch; otherwise the key's name. */
static const char *fixed_key(const char *set, char *key, size_t key_len)
{
    const char *eq = strchr(set, '=');
    size_t n = eq ? (size_t)(eq - set) : strlen(set);
    char lhs[512];
    snprintf(lhs, sizeof lhs, "%.*s", (int)(n < sizeof lhs ? n : sizeof lhs - 1), set);
    char *first = strchr(lhs, '.'), *last = strrchr(lhs, '.');
    if (!first)
        return NULL; /* scn_load reports the malformed --set */
    snprintf(key, key_len, "%s", lhs);
    *first = '\0';
    const char *section = lhs, *k = last + 1;
    for (size_t i = 0; i < sizeof fixed_keys / sizeof fixed_keys[0]; i++) {
        const char *dot = strchr(fixed_keys[i], '.');
        if (strlen(section) == (size_t)(dot - fixed_keys[i]) && strncmp(section, fixed_keys[i], (size_t)(dot - fixed_keys[i])) == 0 &&
            (strcmp(dot + 1, "*") == 0 || strcmp(dot + 1, k) == 0))
            return key;
    }
    return NULL;
}

static bool manifest_complete(const char *dir)
{
    char path[RES_PATH + 32], line[512];
    snprintf(path, sizeof path, "%s/manifest.ini", dir);
    FILE *f = fopen(path, "r");
    bool complete = false;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "status = complete", 17) == 0)
            complete = true;
    if (f)
        fclose(f);
    return complete;
}

/* Removes what a killed run of ROOT/NAME left: its .NAME.partial-PID
 * results folder (its rows are in the checkpoint) and a half-written
 * .NAME.checkpoint.tmp-PID, when process PID is gone. */
static void remove_stale(const char *root, const char *name)
{
    DIR *d = opendir(root);
    if (!d)
        return;
    char partial[1200], tmp[1200], path[RES_PATH + 1300];
    snprintf(partial, sizeof partial, ".%s.partial-", name);
    snprintf(tmp, sizeof tmp, ".%s.checkpoint.tmp-", name);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *rest = strncmp(e->d_name, partial, strlen(partial)) == 0 ? e->d_name + strlen(partial)
                           : strncmp(e->d_name, tmp, strlen(tmp)) == 0   ? e->d_name + strlen(tmp)
                                                                         : NULL;
        char *end;
        long pid = rest ? strtol(rest, &end, 10) : 0;
        if (!rest || !*rest || *end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        out_remove_dir(path);
    }
    closedir(d);
}

/* The "cwd = ..." line of a checkpoint's manifest (absent before 0.1). */
static bool manifest_cwd(const char *path, char *out, size_t out_len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[RES_PATH + 16];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "cwd = ", 6) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, out_len, "%s", line + 6);
            found = true;
        }
    }
    fclose(f);
    return found;
}

int cli_resume(int argc, char **argv)
{
    cli_args a = {0};
    const char *dir_arg = NULL;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        bool has_next = i + 1 < argc;
        if ((strcmp(s, "--out") == 0 || strcmp(s, "--set") == 0) && !has_next) {
            fprintf(stderr, "ecnysim: %s needs a value: expected %s\n", s,
                    s[2] == 'o' ? "--out DIR" : "--set section.key=value");
            return EXIT_BADINPUT;
        } else if (strcmp(s, "--out") == 0) {
            a.out = argv[++i];
            if (!cli_check_out(a.out))
                return EXIT_BADINPUT;
        } else if (strcmp(s, "--set") == 0) {
            if (a.n_sets == CLI_MAX_SETS - 1) {
                fprintf(stderr, "ecnysim: more than %d --set options\n", CLI_MAX_SETS - 1);
                return EXIT_BADINPUT;
            }
            a.sets[a.n_sets++] = argv[++i];
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            a.quiet = true;
        } else if (strcmp(s, "--checkpoint-every") == 0) {
            if (!(a.checkpoint_every = cli_check_checkpoint_every(has_next ? argv[i + 1] : NULL)))
                return EXIT_BADINPUT;
            i++;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "ecnysim: unknown option '%s' for resume: expected DIR [--out NEWDIR] "
                            "[--set section.key=value]... [--checkpoint-every DAYS] [--quiet]\n", s);
            return EXIT_BADINPUT;
        } else if (!dir_arg) {
            dir_arg = s;
        } else {
            fprintf(stderr, "ecnysim: unexpected argument '%s': expected one folder\n", s);
            return EXIT_BADINPUT;
        }
    }
    if (!dir_arg) {
        fprintf(stderr, "ecnysim: no folder given: expected 'ecnysim resume results/NAME' (or results/NAME.checkpoint)\n");
        return EXIT_BADINPUT;
    }
    /* Be helpful: the results folder, the checkpoint folder or its state.ckp. */
    static char dir[RES_PATH], base[RES_PATH], path[RES_PATH + 64];
    snprintf(base, sizeof base, "%s", dir_arg);
    size_t n = strlen(base);
    if (n > 10 && strcmp(base + n - 10, "/state.ckp") == 0)
        base[n -= 10] = '\0';
    while (n > 1 && base[n - 1] == '/')
        base[--n] = '\0';
    const char *suffixes[] = {"", ".checkpoint", ".checkpoint.old"};
    dir[0] = '\0';
    for (int i = 0; i < 3 && !dir[0]; i++) {
        snprintf(path, sizeof path, "%s%s/state.ckp", base, suffixes[i]);
        if (file_exists(path))
            snprintf(dir, sizeof dir, "%s%s", base, suffixes[i]);
    }
    if (!dir[0]) {
        if (manifest_complete(base))
            fprintf(stderr, "ecnysim: %s is a complete run: nothing to resume\n", base);
        else
            fprintf(stderr, "ecnysim: no checkpoint in %s or %s.checkpoint: expected a run made with "
                            "'ecnysim run S.ini --checkpoint-every DAYS' (docs/checkpoint.md)\n", base, base);
        return EXIT_BADINPUT;
    }
    snprintf(path, sizeof path, "%s/state.ckp", dir);
    char err[8192];
    ckp_header h;
    ckp_reader *r = ckp_open(path, &h, err, sizeof err); /* whole-file check before anything else */
    if (!r) {
        fprintf(stderr, "ecnysim: %s\n", err);
        return EXIT_BADINPUT;
    }
    ckp_discard(r);
    if (strcmp(h.version, ECNYSIM_VERSION) != 0) /* the model may have changed: say so, but go on */
        fprintf(stderr, "ecnysim: warning: %s was written by ecnysim %s and this is %s: behaviour keys that "
                        "version lacked take this version's defaults, so the run goes on with a model it did "
                        "not start with (docs/checkpoint.md)\n", path, h.version, ECNYSIM_VERSION);
    static char scenario[RES_PATH + 32], out[RES_PATH * 2];
    snprintf(scenario, sizeof scenario, "%s/scenario.ini", dir);
    uint64_t hash;
    if (!ckp_hash_file(scenario, &hash)) {
        fprintf(stderr, "ecnysim: %s: cannot read the checkpoint's scenario: %s\n", scenario, strerror(errno));
        return EXIT_BADINPUT;
    }
    if (hash != h.scenario_hash) {
        fprintf(stderr, "ecnysim: %s was changed after the checkpoint was written (its checksum differs): expected "
                        "it as written; to change parameters, branch with --set section.key=value --out NEWDIR\n",
                scenario);
        return EXIT_BADINPUT;
    }
    for (int i = 0; i < a.n_sets; i++) {
        char key[512];
        if (fixed_key(a.sets[i], key, sizeof key)) {
            fprintf(stderr, "ecnysim: --set %s: '%s' cannot change when resuming (it sizes the population, the "
                            "ledger or a programme, or fixes the run's dates and streams): expected a behavioural "
                            "key (docs/checkpoint.md)\n", a.sets[i], key);
            return EXIT_BADINPUT;
        }
    }
    if (a.n_sets > 0 && !a.out) {
        fprintf(stderr, "ecnysim: a branch (resume with --set) needs --out NEWDIR: expected the original run's "
                        "results to stay as they are\n");
        return EXIT_BADINPUT;
    }
    /* Continue exactly where the run was, whatever the working folder: the
     * results go beside the checkpoint (it is ROOT/NAME.checkpoint), and the
     * run continues from the working folder it was made in (recorded as cwd),
     * so a relative data_dir or results_dir means what it meant then. */
    static char abs_dir[PATH_MAX], abs_out[PATH_MAX + RES_PATH], parent[PATH_MAX];
    if (!realpath(dir, abs_dir)) {
        fprintf(stderr, "ecnysim: %s: %s\n", dir, strerror(errno));
        return EXIT_BADINPUT;
    }
    snprintf(dir, sizeof dir, "%s", abs_dir);
    snprintf(scenario, sizeof scenario, "%s/scenario.ini", dir);
    snprintf(parent, sizeof parent, "%s", abs_dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    if (!a.out) {
        snprintf(out, sizeof out, "%s/%s", parent, h.results_name);
        a.out = out;
    } else if (a.out[0] != '/') {
        char here[PATH_MAX];
        if (getcwd(here, sizeof here)) {
            snprintf(abs_out, sizeof abs_out, "%s/%s", here, a.out);
            a.out = abs_out;
        }
    }
    char made_in[RES_PATH] = "";
    snprintf(path, sizeof path, "%s/manifest.ini", dir);
    if (manifest_cwd(path, made_in, sizeof made_in) && made_in[0] && chdir(made_in) != 0)
        fprintf(stderr, "ecnysim: the run was made in %s, which is gone (%s): relative paths of its scenario are "
                        "read from here\n", made_in, strerror(errno));
    remove_stale(parent, h.results_name);
    a.scenario = scenario;
    a.resume_dir = dir;
    if (!a.checkpoint_every)
        a.checkpoint_every = h.checkpoint_every;
    if (!a.quiet)
        fprintf(stderr, "ecnysim: resuming %s at day %d of %d from %s\n", h.scenario_file, h.day_index + 1,
                h.n_days, dir);
    return cli_run(&a, argc, argv, NULL);
}
