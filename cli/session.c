/* session.c: one scenario opened for a run: the only place that wires sim/
 * and models/ together for it (cli/cli.h, prefix cli_session_).
 *
 * cli_session_begin parses the scenario document once (and, for the 'run'
 * command, starts the ranks: sim/dist.h); every later decision (a batch? the
 * [peer] economy? split over ranks?) reads that document. cli_session_load
 * then checks what the schema alone cannot, finds and loads the data folder
 * (or takes the copy a batch's parent preloaded), and builds the world: all
 * of it, or this rank's cities when the run is split over ranks;
 * cli_session_engine makes the engine and attaches the world to it. Every
 * error of a load is reported together, in the order found. The day loop
 * that uses an open session is cli/run.c; cli_session_close frees it all.
 *
 * Ranks (docs/distributed.md): in a run split by cities (split set by
 * cli/mpi.c), cli_session_go_on has rank 0 decide whether another day runs
 * and every rank learn it, cli_session_frame sums every rank's rows of the
 * day onto rank 0, and cli_session_fail ends every rank when one fails
 * inside the day loop. Outside a split run they are pass-throughs.
 *
 * Cost: one parse of the scenario; the data files once per process (none in
 * a batch's forked runs); the world's allocations, sized at load.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/data.h"
#include "models/peer.h"
#include "models/schema.h"
#include "models/world.h"
#include "sim/assert.h"
#include "sim/calendar.h"
#include "sim/dist.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/scenario.h"

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

int cli_session_begin(cli_session *s, const cli_args *a, bool ranks)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    s->ranks = 1;
    if (ranks) {
        dst_init(NULL, NULL);
        s->started_ranks = true;
        s->ranks = dst_size();
    }
    s->errs = malloc(sizeof *s->errs);
    if (!s->errs) {
        fprintf(stderr, "ecnysim: out of memory\n");
        return EXIT_RUNTIME;
    }
    err_init(s->errs);
    s->doc = scn_load(&ecny_schema, a->scenario, a->sets, a->n_sets, s->errs);
    return EXIT_OK;
}

bool cli_scenario_is_batch(const cli_args *a, const scn_doc *doc)
{
    if (a->replications || a->n_vary)
        return true;
    if (!doc)
        return a->ensemble != 0;
    const scn_instance *sw = scn_single(doc, "sweep");
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "vary%d", k);
        if (scn_has(sw, key) && scn_str(sw, key)[0])
            return true;
    }
    /* --ensemble, else the file's ensemble, else its replications */
    int64_t ens = a->ensemble ? a->ensemble : scn_int(sw, "ensemble");
    int64_t reps = ens > 0 ? ens : scn_int(sw, "replications");
    return reps > 1 || ens > 0;
}

bool cli_session_batch(const cli_session *s) { return cli_scenario_is_batch(s->a, s->doc); }

bool cli_session_peer(const cli_session *s) { return s->doc && peer_residents(s->doc) > 0; }

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

/* The world of this process: every city, or this rank's share of them in a
 * split run (the cities partitioned by population, sim/dist.h). Every rank
 * learns whether every other built its share; NULL with the reason in errs. */
static wld_world *session_world(cli_session *s, err_list *errs)
{
    const scn_doc *doc = s->doc;
    const dat_set *data = s->data;
    if (!s->split)
        return wld_create(doc, data, errs);
    int n = (int)scn_count(doc, "city"), ranks = dst_size(), rank = dst_rank();
    int64_t *weight = calloc((size_t)n + 1, sizeof *weight);
    int *owner = calloc((size_t)n + 1, sizeof *owner);
    int64_t *failed = calloc((size_t)ranks, sizeof *failed);
    wld_world *w = NULL;
    if (weight && owner && failed) {
        for (int i = 0; i < n; i++) {
            const scn_instance *in = scn_nth(doc, "city", (size_t)i);
            const dat_city *c = dat_find_city(data, scn_has(in, "area") ? scn_str(in, "area") : scn_name(in));
            weight[i] = scn_int(in, "population") ? scn_int(in, "population") : c ? c->population : 0;
        }
        dst_partition(weight, n, ranks, owner);
        w = wld_create_owned(doc, data, owner, rank, errs);
    } else {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
    }
    if (failed) {
        failed[rank] = w == NULL;
        if (!dst_allreduce_sum_i64(failed, (size_t)ranks))
            dst_abort(EXIT_RUNTIME);
        for (int r = 0; r < ranks; r++) {
            if (!failed[r] || r == rank)
                continue;
            if (w) {
                err_add(errs, "rank %d could not build its cities (its messages above)", r);
                wld_free(w);
                w = NULL;
            }
            break;
        }
        /* Rank 0 reports the scenario's errors; a worker only its own
         * (memory), when rank 0 itself got through. */
        if (rank != 0 && failed[rank] && !failed[0]) {
            fprintf(stderr, "ecnysim: rank %d:\n", rank);
            err_print(errs, stderr);
        }
    } else if (w) {
        dst_abort(EXIT_RUNTIME);
    }
    free(weight);
    free(owner);
    free(failed);
    return w;
}

int cli_session_load(cli_session *s, bool report)
{
    SIM_ASSERT(s && s->errs && !s->world, "a session is loaded once, after cli_session_begin");
    err_list *errs = s->errs;
    scn_doc *doc = s->doc;
    if (doc && !cli_check_scenario(doc, errs))
        doc = NULL;
    if (doc) {
        s->data = malloc(sizeof *s->data);
        char located[4096];
        const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                     sizeof located);
        bool have = false;
        if (s->data && preloaded.set && strcmp(dir, preloaded.dir) == 0) {
            *s->data = preloaded.data;
            have = true;
        }
        if (!s->data)
            err_add_kind(errs, ERR_MEMORY, "out of memory");
        else if (!have && !data_dir_found(doc, dir, errs))
            ;
        else if (have || dat_load(dir, s->data, errs))
            s->world = session_world(s, errs); /* this rank's cities when split */
        else
            data_dir_note(doc, dir, errs);
    }
    if (!s->world) {
        if (errs->count == 0) /* a loader gave up without a message: only an allocation does that */
            err_add_kind(errs, ERR_MEMORY, "out of memory loading the scenario");
        if (report)
            err_print(errs, stderr);
        return err_exit_status(errs); /* memory: 1; a bad scenario or data: 2 */
    }
    sim_assert_seed(wld_seed(s->world)); /* a failed SIM_ASSERT names the seed */
    err_init(errs);                      /* the run's own messages follow */
    return EXIT_OK;
}

int cli_session_engine(cli_session *s)
{
    SIM_ASSERT(s && s->world && !s->eng, "the engine is made once, for a loaded session");
    const wld_world *w = s->world;
    s->eng = eng_alloc(wld_start_day(w), wld_days(w), 4096, (size_t)1 << 30);
    if (!s->eng || !wld_attach(s->world, s->eng)) {
        if (s->split && dst_rank() != 0)
            fprintf(stderr, "ecnysim: rank %d: out of memory setting up the engine\n", dst_rank());
        else
            fprintf(stderr, "ecnysim: out of memory setting up the engine\n");
        cli_session_fail(s);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

int cli_session_open(cli_session *s, bool report)
{
    int status = cli_session_load(s, report);
    return status == EXIT_OK ? cli_session_engine(s) : status;
}

bool cli_session_go_on(const cli_session *s, bool go_on)
{
    if (!s->split)
        return go_on;
    int flag = go_on;
    if (!dst_bcast_int(&flag))
        dst_abort(EXIT_RUNTIME);
    return flag != 0;
}

void cli_session_fail(const cli_session *s)
{
    if (s->split)
        dst_abort(EXIT_RUNTIME);
}

const snap_frame *cli_session_frame(cli_session *s)
{
    const snap_frame *f = wld_frame(s->world);
    if (!s->split)
        return f;
    size_t need = 0;
    for (int t = 0; t < f->n_tables; t++)
        if (!f->table[t].at_end)
            need += (size_t)f->table[t].n_rows * (size_t)f->table[t].n_columns;
    if (need > s->gathered_cap) {
        int64_t *grown = realloc(s->gathered_values, need * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "ecnysim: rank %d: out of memory gathering a day's rows\n", dst_rank());
            dst_abort(EXIT_RUNTIME);
        }
        s->gathered_values = grown;
        s->gathered_cap = need;
    }
    s->gathered = *f;
    size_t pos = 0;
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        if (tb->at_end)
            continue;
        size_t cells = (size_t)tb->n_rows * (size_t)tb->n_columns;
        if (cells)
            memcpy(s->gathered_values + pos, tb->value, cells * sizeof *s->gathered_values);
        s->gathered.table[t].value = s->gathered_values + pos;
        pos += cells;
    }
    if (!dst_reduce_sum_i64(s->gathered_values, pos))
        dst_abort(EXIT_RUNTIME);
    return &s->gathered;
}

void cli_session_close(cli_session *s)
{
    if (!s)
        return;
    eng_free(s->eng);
    wld_free(s->world);
    free(s->data);
    scn_free(s->doc);
    free(s->errs);
    free(s->gathered_values);
    if (s->started_ranks)
        dst_finalize();
    memset(s, 0, sizeof *s);
}

int cli_run(const cli_args *a, int argc, char **argv, const cli_hooks *hooks)
{
    cli_session s;
    int status = cli_session_begin(&s, a, false);
    if (status == EXIT_OK && cli_session_peer(&s))
        status = cli_run_peer(&s, argc, argv);
    else if (status == EXIT_OK && (status = cli_session_open(&s, true)) == EXIT_OK)
        status = cli_run_session(&s, argc, argv, hooks);
    cli_session_close(&s);
    return status;
}
