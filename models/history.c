/* history.c: the pilot history of a scenario's cities (prefix hst_).
 *
 * A programme acts on a city as it is on the programme's dates, so every
 * city is simulated from its pilot start (data/cities.csv or [city]
 * pilot_start) whatever the scenario's start. The history is the baseline
 * economy alone (residents, merchants, firms, government, banks) from the
 * earliest pilot start of the scenario's cities to the day before
 * [scenario] start, run in a private engine when the world is attached
 * (wld_attach), before the programmes and flows are set up: they never act
 * in it and open their accounts after it. Its rows are not written
 * (write_history = true instead runs the same days as part of the output).
 *
 * Cache. The state at the end of the history (every city's checkpoint
 * fields and the ledger, sim/checkpoint.h) depends only on the version, the
 * data, the cities, the behaviour keys, the seed, the scale, the dates and
 * the ledger's size, never on programmes, KPIs or flows. With
 * [scenario] history_cache = DIR it is kept as DIR/<hash>.ckp, the hash of
 * all of those (hst_key), and loaded instead of simulated by any run that
 * has the same hash. Loading a checkpoint restores exactly what running
 * the days leaves (the resume guarantee), so results are byte-identical
 * with and without the cache. A file is written under a name private to
 * the process and renamed into place, so concurrent runs (--jobs) never
 * see half of one; a file that cannot be read (another build, corrupt) is
 * a miss, checked whole before any state is touched.
 *
 * Cost: the history days at the economy's usual cost, or one checkpoint
 * read (the account table and adopter columns) on a hit.
 */
#include "models/world_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/programme.h"
#include "sim/checkpoint.h"

#ifndef ECNYSIM_VERSION
#define ECNYSIM_VERSION "0.0.0"
#endif

#define HST_TAG CKP_TAG('H', 'I', 'S', 'T')

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s) { return fnv(h, s, strlen(s) + 1); }

/* Sections that never act in the history: programmes, KPIs, flows, sweeps,
 * the campaign priors (only programmes read them), the declared peer economy. */
static bool outside_history(const char *section)
{
    static const char *const kinds[] = {"airdrop", "transit", "rural", "payroll",  "loans", "incentive",
                                        "kpi",     "flow",    "sweep", "campaign", "peer"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t n = strlen(kinds[i]);
        if (strncmp(section, kinds[i], n) == 0 && (section[n] == '.' || section[n] == ']' || section[n] == 0))
            return true;
    }
    return false;
}

/* [scenario] keys that do not change the history's days or state. */
static bool output_key(const char *line)
{
    static const char *const keys[] = {"name", "results_dir", "end", "days", "write_history", "history_cache",
                                       "memory_limit_gib", "check_ledger"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        size_t n = strlen(keys[i]);
        if (strncmp(line, keys[i], n) == 0 && (line[n] == ' ' || line[n] == '='))
            return true;
    }
    return false;
}

uint64_t hst_key(const wld_world *w)
{
    uint64_t h = fnv_str(0xcbf29ce484222325ull, "ecnysim pilot history 2");
    h = fnv_str(h, ECNYSIM_VERSION);
    /* the resolved scenario, every default filled, less what never acts in the history */
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m) {
        scn_write_resolved(w->doc, m);
        fclose(m);
    }
    bool skip = false, scenario = false;
    for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == ';' || line[0] == '#')
            continue;
        if (line[0] == '[') {
            skip = outside_history(line + 1);
            scenario = strncmp(line, "[scenario]", 10) == 0;
        }
        if (skip || (scenario && output_key(line)))
            continue;
        h = fnv_str(h, line);
    }
    free(text);
    /* the data rows the cities use, every bank and category */
    char buf[1024];
    for (int i = 0; i < w->n_cities; i++) {
        const dat_city *c = w->city[i].data;
        int n = snprintf(buf, sizeof buf, "%u,%s,%d,%lld,%.17g,%.17g,%d,%d", c->id, c->area, c->pilot_start_day,
                         (long long)c->population, c->urban_pct, c->gdp_per_capita_yuan, c->batch, (int)c->kind);
        h = fnv(h, buf, (size_t)n);
    }
    for (int b = 0; b < w->data->n_banks; b++) {
        const dat_bank *k = &w->data->bank[b];
        int n = snprintf(buf, sizeof buf, "%u,%s,%d,%.17g,%.17g", k->id, k->bank, k->joined_day, k->market_share,
                         k->rural_outlet_share);
        h = fnv(h, buf, (size_t)n);
    }
    for (int k = 0; k < w->data->n_categories; k++) {
        const dat_category *c = &w->data->category[k];
        int n = snprintf(buf, sizeof buf, "%u,%s,%.17g,%.17g,%.17g,%.17g,%d", c->id, c->category, c->merchant_share,
                         c->occasion_share, c->ticket_median_yuan, c->ticket_sigma, (int)c->online);
        h = fnv(h, buf, (size_t)n);
    }
    /* the days, the ledger's size and this build's record layout */
    int n = snprintf(buf, sizeof buf, "%d,%d,%u,%d,%llu,%llu,%zu", w->hist_start_day, w->scenario_start_day,
                     w->max_accounts, w->n_cities,
                     (unsigned long long)led_bytes_needed(w->max_accounts, (uint32_t)w->n_cities),
                     (unsigned long long)w->ext_reserve, sizeof(wld_city));
    return fnv(h, buf, (size_t)n);
}

static void cache_path(const wld_world *w, uint64_t key, char *out, size_t len)
{
    snprintf(out, len, "%s/%016llx.ckp", w->history_cache, (unsigned long long)key);
}

static int32_t history_days(const wld_world *w) { return w->scenario_start_day - w->hist_start_day; }

/* Loads a cached history; false (nothing touched) when there is none or it
 * is not this history's. *broken: a file that passed its checks failed
 * half-way (the world is then unusable). */
static bool cache_load(wld_world *w, uint64_t key, bool *broken)
{
    char path[4200], err[512];
    cache_path(w, key, path, sizeof path);
    *broken = false;
    if (access(path, R_OK) != 0)
        return false;
    ckp_header h;
    ckp_reader *r = ckp_open(path, &h, err, sizeof err);
    if (!r)
        return false;
    if (h.scenario_hash != key || h.seed != w->seed || h.start_day != w->hist_start_day ||
        h.day_index != history_days(w) || strcmp(h.version, ECNYSIM_VERSION) != 0) {
        ckp_discard(r);
        return false;
    }
    if (ckp_expect_tag(r, HST_TAG, "pilot history")) {
        uint32_t n = ckp_get_u32(r), accounts = ckp_get_u32(r);
        if (!ckp_read_failed(r) && (n != (uint32_t)w->n_cities || accounts != w->max_accounts)) {
            ckp_discard(r);
            return false;
        }
        for (int i = 0; i < w->n_cities && !ckp_read_failed(r); i++)
            wld_city_load(w, &w->city[i], r);
        if (!ckp_read_failed(r))
            led_load(w->ledger, r);
    }
    if (!ckp_close(r, err, sizeof err)) {
        snprintf(w->failure, sizeof w->failure, "the cached pilot history %s is unusable: %s (remove it)", path,
                 err);
        *broken = true;
        return false;
    }
    return true;
}

/* Keeps the history for later runs; a failure only costs the next run the
 * simulation (the cache is an optimisation, never a result). */
static void cache_save(const wld_world *w, uint64_t key)
{
    char path[4200], mine[4300], err[512];
    if (mkdir(w->history_cache, 0777) != 0 && errno != EEXIST)
        return;
    cache_path(w, key, path, sizeof path);
    snprintf(mine, sizeof mine, "%s.%ld", path, (long)getpid());
    ckp_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.version, sizeof h.version, "%s", ECNYSIM_VERSION);
    h.scenario_hash = key;
    h.seed = w->seed;
    h.start_day = w->hist_start_day;
    h.day_index = h.n_days = history_days(w);
    ckp_writer *ck = ckp_create(mine, &h, err, sizeof err);
    if (!ck)
        return;
    ckp_put_tag(ck, HST_TAG);
    ckp_put_u32(ck, (uint32_t)w->n_cities);
    ckp_put_u32(ck, w->max_accounts);
    for (int i = 0; i < w->n_cities; i++)
        wld_city_save(w, &w->city[i], ck);
    led_save(w->ledger, ck);
    if (ckp_finish(ck, err, sizeof err) && rename(mine, path) != 0)
        unlink(mine);
}

bool hst_run(wld_world *w)
{
    int32_t days = history_days(w);
    if (days <= 0)
        return true;
    bool cache = w->history_cache[0] != 0 && !w->city_rank;
    uint64_t key = cache ? hst_key(w) : 0;
    bool broken = false;
    if (cache && cache_load(w, key, &broken))
        return true;
    if (broken)
        return false;
    eng_engine *eng = eng_alloc(w->hist_start_day, days, 4096, (size_t)1 << 30);
    if (!eng || !wld_attach_economy(w, eng)) {
        eng_free(eng);
        snprintf(w->failure, sizeof w->failure, "out of memory setting up the pilot history");
        return false;
    }
    /* The economy's handlers read the day as start_day + the engine's day. */
    int32_t start = w->start_day;
    w->start_day = w->hist_start_day;
    w->in_history = true;
    bool ok = true;
    while (ok && !eng_finished(eng))
        ok = eng_step_day(eng);
    w->start_day = start;
    w->in_history = false;
    if (!ok) {
        if (!w->failure[0])
            snprintf(w->failure, sizeof w->failure, "the pilot history failed: %s",
                     eng_failed(eng) ? eng_failed(eng) : "unknown");
        eng_free(eng);
        return false;
    }
    /* The economy schedules only the day's own hours: nothing is left over. */
    if (eng_pending(eng) != 0) {
        snprintf(w->failure, sizeof w->failure, "the pilot history left %zu events pending", eng_pending(eng));
        eng_free(eng);
        return false;
    }
    eng_free(eng);
    if (cache)
        cache_save(w, key);
    return true;
}
