/* programme.c: the set of pilot programmes and the helpers they share.
 *
 * Reads every programme section in a fixed kind order (airdrop, transit,
 * rural, payroll, loans, incentive, offline) and file order within a kind, gives each
 * its city, its random stream (RNG_PROGRAMME + its index among its city's
 * programmes) and a merchant tag bit when it needs one, then forwards the
 * day hooks. Publishes programmes.csv (tidy: programme, kind, city, outcome,
 * value, unit; refreshed every day, written once at the end), and through
 * kpi.c, kpi_daily.csv and kpi.csv.
 *
 * Wallets opened by a programme are appended to the city's adopters the way
 * residents.c opens them (segment counts, class counts, first top-up), as
 * dormant adopters: they take no place in the engaged prefix, so no other
 * adopter moves. Vouchers (envelopes, coupons, aid) are earmarked grants
 * from the programme's pool; holders are kept by wallet account, never by
 * adopter index, since the residents model may reorder adopters.
 *
 * Cost: O(programmes + holders with value left) per day.
 */
#include "models/programme.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calendar.h"
#include "sim/assert.h"
#include "sim/rng.h"

#define PRG_CELL 64
#define PRG_COLS 6

struct prg_set {
    int n;
    prg_programme *p;
    uint32_t next_tag;
    uint32_t *tags;        /* [account]: merchant tag masks set so far (the ledger has no getter) */
    kpi_set *kpi;
    /* programmes.csv */
    int cap_rows;
    char *cells;               /* cap_rows * PRG_COLS cells of PRG_CELL bytes */
    const char **cell_ptr;
    int64_t *zero;
    const char *columns[PRG_COLS];
    int table_index;
    snap_frame *frame;
    bool failed; /* a programme could not go on (prg_fail_memory): the run stops */
};

static const prg_ops *const kinds[PRG_KINDS] = {&air_ops, &trn_ops, &rur_ops, &prl_ops, &loan_ops, &inc_ops, &off_ops};

int prg_city_of(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w, err_list *errs)
{
    SIM_ASSERT(doc && in && key && w, "a scenario, its section, the key and the world");
    const char *name = scn_str(in, key);
    for (int i = 0; i < w->n_cities; i++)
        if (strcmp(w->city[i].name, name) == 0)
            return i;
    char where[600];
    scn_where(doc, in, key, where, sizeof where);
    const char *hint = NULL;
    size_t best = SIZE_MAX;
    for (int i = 0; i < w->n_cities; i++) {
        size_t d = scn_edit_distance(name, w->city[i].name);
        if (d < best) {
            best = d;
            hint = w->city[i].name;
        }
    }
    if (hint && best <= 3)
        err_add(errs, "%s: %s '%s' in [%s.%s] is not a [city.NAME] section of this scenario (did you mean '%s'?)",
                where, key, name, scn_section_name(in), scn_name(in), hint);
    else
        err_add(errs, "%s: %s '%s' in [%s.%s] is not a [city.NAME] section of this scenario: expected one of its cities",
                where, key, name, scn_section_name(in), scn_name(in));
    return -1;
}

prg_set *prg_create(const scn_doc *doc, wld_world *w, uint64_t *accounts, err_list *errs)
{
    SIM_ASSERT(doc && w && accounts && errs, "a scenario, the world, an account count, errors");
    int before = errs->count;
    prg_set *s = calloc(1, sizeof *s);
    if (!s) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    s->n = (int)prg_sections_in(doc);
    s->p = calloc((size_t)s->n + 1, sizeof *s->p);
    uint32_t *per_city = calloc((size_t)w->n_cities + 1, sizeof *per_city);
    if (!s->p || !per_city) {
        free(per_city);
        prg_free(s);
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    int i = 0;
    for (int k = 0; k < PRG_KINDS; k++) {
        for (size_t j = 0; j < scn_count(doc, kinds[k]->section); j++, i++) {
            prg_programme *p = &s->p[i];
            p->kind = (enum prg_kind)k;
            p->index = i;
            p->doc = doc;
            p->in = scn_nth(doc, kinds[k]->section, j);
            p->tag_bit = 32;
            snprintf(p->name, sizeof p->name, "%s", scn_name(p->in));
            p->city = prg_city_of(doc, p->in, "city", w, errs);
            p->fixed_cost_fen = scn_fen(p->in, "fixed_cost_yuan");
            if (p->city < 0)
                continue;
            p->city_index = per_city[p->city]++;
            p->window_start = 0;
            p->window_end = -1; /* none unless the kind sets one */
            kinds[k]->create(p, w, doc, accounts, errs);
        }
    }
    free(per_city);
    s->kpi = kpi_create(doc, w, errs);
    if (s->kpi)
        kpi_check(s->kpi, s, errs);
    if (errs->count != before || !s->kpi) {
        prg_free(s);
        return NULL;
    }
    return s;
}

uint32_t prg_next_tag(prg_set *s) { return s->next_tag < 32 ? s->next_tag++ : 32; }

static void refresh_table(prg_set *s, wld_world *w);

bool prg_setup(prg_set *s, wld_world *w, snap_frame *frame, err_list *errs)
{
    SIM_ASSERT(s && w && frame, "the programmes, the world and its frame");
    s->tags = s->n ? calloc((size_t)w->max_accounts + 1, sizeof *s->tags) : NULL;
    if (s->n && !s->tags) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    for (int i = 0; i < s->n; i++) {
        prg_programme *p = &s->p[i];
        p->rng = rng_stream_alloc(w->seed, w->city[p->city].data->id, RNG_PROGRAMME + p->city_index);
        if (!p->rng) {
            err_add_kind(errs, ERR_MEMORY, "out of memory");
            return false;
        }
        if (p->kind == PRG_AIRDROP || p->kind == PRG_INCENTIVE) {
            p->tag_bit = prg_next_tag(s);
            if (p->tag_bit >= 32) {
                char where[600];
                scn_where(p->doc, p->in, NULL, where, sizeof where);
                err_add(errs, "%s: [%s.%s] is the 33rd programme that tags merchants: expected at most 32 airdrops and "
                              "incentives in a scenario",
                        where, kinds[p->kind]->section, p->name);
                return false;
            }
        }
        if (kinds[p->kind]->setup && !kinds[p->kind]->setup(p, w, errs))
            return false;
    }
    if (!kpi_setup(s->kpi, s, w, errs))
        return false;
    s->frame = frame;
    if (s->n > 0 && frame->n_tables < SNAP_MAX_TABLES) {
        s->cap_rows = s->n * (PRG_MAX_OUTCOMES + 2);
        s->cells = calloc((size_t)s->cap_rows * PRG_COLS, PRG_CELL);
        s->cell_ptr = calloc((size_t)s->cap_rows * PRG_COLS, sizeof *s->cell_ptr);
        s->zero = calloc((size_t)s->cap_rows * PRG_COLS, sizeof *s->zero);
        if (!s->cells || !s->cell_ptr || !s->zero) {
            err_add_kind(errs, ERR_MEMORY, "out of memory");
            return false;
        }
        static const char *const cols[PRG_COLS] = {"programme", "kind", "city", "outcome", "value", "unit"};
        for (int c = 0; c < PRG_COLS; c++)
            s->columns[c] = cols[c];
        for (int c = 0; c < s->cap_rows * PRG_COLS; c++)
            s->cell_ptr[c] = s->cells + (size_t)c * PRG_CELL;
        s->table_index = frame->n_tables++;
        frame->table[s->table_index] = (snap_table){"programmes.csv", PRG_COLS, s->columns, s->zero, 0, NULL,
                                                    NULL, 1, s->cell_ptr};
        refresh_table(s, w);
    }
    if (kpi_count(s->kpi) > 0 && frame->n_tables + 2 <= SNAP_MAX_TABLES) {
        frame->table[frame->n_tables++] = *kpi_daily_table(s->kpi);
        frame->table[frame->n_tables++] = *kpi_final_table(s->kpi, s, w);
    } else if (kpi_count(s->kpi) > 0) {
        err_add(errs, "too many tables in the frame for the KPI tables (SNAP_MAX_TABLES %d)", SNAP_MAX_TABLES);
        return false;
    }
    return true;
}

void prg_free(prg_set *s)
{
    if (!s)
        return;
    for (int i = 0; s->p && i < s->n; i++) { /* p is NULL when prg_create could not allocate it */
        prg_programme *p = &s->p[i];
        if (kinds[p->kind]->destroy)
            kinds[p->kind]->destroy(p);
        gsl_rng_free(p->rng);
    }
    kpi_free(s->kpi);
    free(s->p);
    free(s->tags);
    free(s->cells);
    free(s->cell_ptr);
    free(s->zero);
    free(s);
}

int prg_count(const prg_set *s) { return s ? s->n : 0; }

size_t prg_sections_in(const scn_doc *doc)
{
    size_t n = 0;
    for (int k = 0; k < PRG_KINDS; k++)
        n += scn_count(doc, kinds[k]->section);
    return n;
}
prg_programme *prg_get(prg_set *s, int i) { return &s->p[i]; }

void *prg_state_alloc(prg_programme *p, size_t size, err_list *errs)
{
    SIM_ASSERT(p && size > 0 && errs, "a programme and a state of %zu bytes", size);
    p->state = calloc(1, size);
    if (!p->state)
        err_add_kind(errs, ERR_MEMORY, "out of memory");
    return p->state;
}

bool prg_read_window(prg_programme *p, const scn_doc *doc, int32_t *start, int32_t *end, err_list *errs)
{
    *start = scn_date(p->in, "start");
    *end = scn_date(p->in, "end");
    if (*end >= *start)
        return true;
    char where[600];
    scn_where(doc, p->in, "end", where, sizeof where);
    err_add(errs, "%s: end in [%s.%s] is before start: expected on or after it", where, scn_section_name(p->in),
            p->name);
    return false;
}

prg_programme *prg_find(prg_set *s, const char *section, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(kinds[s->p[i].kind]->section, section) == 0 && strcmp(s->p[i].name, name) == 0)
            return &s->p[i];
    return NULL;
}

bool prg_day_start(prg_set *s, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    SIM_ASSERT(w && eng && day_index >= 0, "day index %d", (int)day_index);
    if (!s || s->n == 0)
        return true;
    /* Earmarks expire for the whole ledger once a day, before anyone pays;
     * each programme sees the value come back to its own pool. */
    led_expire(w->ledger, day);
    for (int i = 0; i < w->n_cities; i++) {
        w->city[i].rural_awareness_boost = 0; /* rural programmes add theirs below */
    }
    for (int i = 0; i < s->n && !s->failed; i++)
        if (kinds[s->p[i].kind]->day_start) {
            sim_assert_city(s->p[i].city); /* a failed SIM_ASSERT names the city */
            kinds[s->p[i].kind]->day_start(&s->p[i], w, eng, day, day_index);
        }
    sim_assert_city(-1);
    return !s->failed;
}

bool prg_on_event(prg_set *s, wld_world *w, int32_t day, int64_t arg)
{
    int i = (int)(arg >> 8);
    if (!s || i < 0 || i >= s->n || !kinds[s->p[i].kind]->event)
        return true;
    sim_assert_city(s->p[i].city);
    kinds[s->p[i].kind]->event(&s->p[i], w, day, (int)(arg & 0xff));
    sim_assert_city(-1);
    return !s->failed;
}

void prg_fail_memory(prg_programme *p, wld_world *w, const char *doing)
{
    if (w->prg)
        w->prg->failed = true;
    if (!w->failure[0])
        snprintf(w->failure, sizeof w->failure, "out of memory %s in [%s.%s]", doing, kinds[p->kind]->section,
                 p->name);
}

static void cell(prg_set *s, int row, int col, const char *text)
{
    snprintf(s->cells + ((size_t)row * PRG_COLS + (size_t)col) * PRG_CELL, PRG_CELL, "%s", text);
}

static void refresh_table(prg_set *s, wld_world *w)
{
    int row = 0;
    for (int i = 0; i < s->n; i++) {
        prg_programme *p = &s->p[i];
        p->n_out = 0;
        kinds[p->kind]->report(p, w);
        if (p->window_end >= p->window_start) {
            /* the city's daily e-CNY payments and value: the window's mean
             * against the 7 days before it (NA until the window starts) */
            bool known = p->during_days > 0 && p->before_pay > 0;
            double before = (double)p->before_pay / 7.0, during = p->during_days ? (double)p->during_pay / p->during_days : 0;
            prg_out(p, "uplift_daily_payments", "%", known ? 100.0 * (during / before - 1.0) : PRG_NA);
            double bv = (double)p->before_value / 7.0, dv = p->during_days ? (double)p->during_value / p->during_days : 0;
            prg_out(p, "uplift_daily_retail_value", "%",
                    p->during_days > 0 && p->before_value > 0 ? 100.0 * (dv / bv - 1.0) : PRG_NA);
        }
        prg_out(p, "cost", "yuan", prg_cost_yuan(p, w));
        for (int o = 0; o < p->n_out && row < s->cap_rows; o++, row++) {
            char v[PRG_CELL];
            double x = p->out[o].value;
            if (x == PRG_NA)
                snprintf(v, sizeof v, "NA");
            else if (x == floor(x) && fabs(x) < 9e15)
                snprintf(v, sizeof v, "%.0f", x);
            else
                snprintf(v, sizeof v, "%.6g", x);
            cell(s, row, 0, p->name);
            cell(s, row, 1, kinds[p->kind]->section);
            cell(s, row, 2, w->city[p->city].name);
            cell(s, row, 3, p->out[o].name);
            cell(s, row, 4, v);
            cell(s, row, 5, p->out[o].unit);
        }
    }
    s->frame->table[s->table_index].n_rows = row;
}

bool prg_day_end(prg_set *s, wld_world *w, int32_t day)
{
    if (!s)
        return true;
    int32_t day_index = day - w->start_day;
    for (int i = 0; i < s->n && !s->failed; i++)
        if (kinds[s->p[i].kind]->day_end) {
            sim_assert_city(s->p[i].city);
            kinds[s->p[i].kind]->day_end(&s->p[i], w, day);
        }
    sim_assert_city(-1);
    if (s->failed)
        return false;
    for (int i = 0; i < s->n; i++)
        prg_uplift_day(&s->p[i], w, day);
    for (int i = 0; i < w->n_cities; i++) /* programmes converted some e-CNY back to deposit */
        w->city[i].m[M_CIRCULATION] = w->city[i].circulation_fen;
    kpi_day_end(s->kpi, s, w, day, day_index);
    if (s->n > 0 && s->frame)
        refresh_table(s, w);
    if (kpi_count(s->kpi) > 0 && s->frame) {
        for (int t = 0; t < s->frame->n_tables; t++) {
            if (strcmp(s->frame->table[t].file, "kpi.csv") == 0)
                s->frame->table[t] = *kpi_final_table(s->kpi, s, w);
            else if (strcmp(s->frame->table[t].file, "kpi_daily.csv") == 0)
                s->frame->table[t] = *kpi_daily_table(s->kpi);
        }
    }
    return true;
}

double prg_cost_yuan(const prg_programme *p, const wld_world *w)
{
    return ((double)p->cost_fen * (double)w->scale + (double)p->fixed_cost_fen) / 100.0;
}

double prg_city_cost_yuan(const prg_set *s, const wld_world *w, int city)
{
    SIM_ASSERT(s && w && city >= 0, "city %d", city);
    double t = 0;
    for (int i = 0; i < s->n; i++)
        if (s->p[i].city == city)
            t += prg_cost_yuan(&s->p[i], w);
    return t;
}

void prg_out(prg_programme *p, const char *name, const char *unit, double value)
{
    SIM_ASSERT(p->n_out < PRG_MAX_OUTCOMES, "room for outcome %s of [%s]: PRG_MAX_OUTCOMES is too small", name,
               p->name);
    p->out[p->n_out++] = (prg_outcome){name, unit, value};
}

/* ---------------------------------------------------------------- wallets */

uint32_t prg_open_wallet(wld_world *w, wld_city *c, int seg, int32_t day, gsl_rng *r, bool hard)
{
    /* A programme reaches residents wherever they are in the funnel. */
    int64_t *from = c->seg_downloaded[seg] > 0 ? &c->seg_downloaded[seg]
                    : c->seg_aware[seg] > 0    ? &c->seg_aware[seg]
                    : c->seg_unaware[seg] > 0  ? &c->seg_unaware[seg]
                                               : NULL;
    if (!from)
        return UINT32_MAX;
    uint32_t a = res_open_wallet(w, c, seg, day, r, hard);
    if (a == UINT32_MAX)
        return UINT32_MAX;
    (*from)--;
    c->seg_adopted[seg]++;
    return a;
}

double prg_claim_chance(const wld_world *w, int seg, bool holds, int32_t days)
{
    double daily = holds ? w->p.holder_act_per_day
                         : SEG_PHONE(seg) ? w->p.open_per_day * w->p.open_age_factor[SEG_AGE(seg)] : 0.0;
    if (days < 1)
        days = 1;
    return 1.0 - pow(1.0 - daily, (double)days);
}

void prg_uplift_day(prg_programme *p, const wld_world *w, int32_t day)
{
    if (p->window_end < p->window_start || p->city < 0)
        return;
    const wld_city *c = &w->city[p->city];
    if (day == p->window_start) {
        /* the ring holds the 7 days before today (and today, in its slot) */
        p->before_pay = p->before_value = 0;
        for (int32_t d = day - 7; d < day; d++) {
            p->before_pay += c->pay_ring[d & 7];
            p->before_value += c->value_ring[d & 7];
        }
    }
    if (day >= p->window_start && day <= p->window_end) {
        p->during_pay += c->m[M_PAYMENTS_ECNY];
        p->during_value += c->m[M_VALUE_RETAIL];
        p->during_days++;
    }
}

led_acct prg_onboard_merchant(wld_world *w, wld_city *c, int cat, int32_t day, gsl_rng *r)
{
    return mer_start_accepting(w, c, cat, day, r);
}

int64_t prg_ticket(const wld_world *w, gsl_rng *r, int cat)
{
    const dat_category *k = &w->data->category[cat];
    int64_t v = (int64_t)floor(gsl_ran_lognormal(r, log(k->ticket_median_yuan * 100.0), k->ticket_sigma) + 0.5);
    return v < 1 ? 1 : v;
}

bool prg_categories(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w,
                    uint32_t *mask, err_list *errs)
{
    *mask = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", scn_str(in, key));
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int cat = dat_find_category(w->data, tok);
        if (cat < 0) {
            char where[600];
            scn_where(doc, in, key, where, sizeof where);
            err_add(errs, "%s: '%s' in %s of [%s.%s] is not a merchant category: expected names from "
                          "merchant_categories.csv (retail, catering, ...)",
                    where, tok, key, scn_section_name(in), scn_name(in));
            ok = false;
            continue;
        }
        *mask |= UINT32_C(1) << cat;
    }
    return ok;
}

void prg_sample(gsl_rng *r, uint32_t n, uint32_t k, uint32_t *scratch, uint32_t *out)
{
    SIM_ASSERT(r && scratch && out, "a stream and room for %u of %u", (unsigned)k, (unsigned)n);
    for (uint32_t i = 0; i < n; i++)
        scratch[i] = i;
    for (uint32_t i = 0; i < k && i < n; i++) {
        uint32_t j = i + rng_below(r, n - i);
        uint32_t t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        out[i] = scratch[i];
    }
}

/* --------------------------------------------------------------- vouchers */

bool prg_vouchers_alloc(prg_vouchers *v, uint32_t cap_holders, uint32_t cap_merchants)
{
    v->cap_holders = cap_holders;
    v->cap_merchants = cap_merchants;
    v->holder = calloc((size_t)cap_holders + 1, sizeof *v->holder);
    v->spent_once = calloc((size_t)cap_holders + 1, 1);
    v->last_pay = calloc((size_t)cap_holders + 1, sizeof *v->last_pay);
    v->left_seen = calloc((size_t)cap_holders + 1, sizeof *v->left_seen);
    v->merchants = calloc((size_t)cap_merchants + 1, sizeof *v->merchants);
    v->merchant_cat = calloc((size_t)cap_merchants + 1, 1);
    return v->holder && v->spent_once && v->last_pay && v->left_seen && v->merchants && v->merchant_cat;
}

void prg_vouchers_free(prg_vouchers *v)
{
    free(v->holder);
    free(v->spent_once);
    free(v->last_pay);
    free(v->left_seen);
    free(v->merchants);
    free(v->merchant_cat);
}

enum led_reason prg_vouchers_grant(prg_vouchers *v, wld_world *w, led_acct wallet, int64_t amount_fen)
{
    if (v->n_holders >= v->cap_holders)
        return LED_R_CAPACITY;
    enum led_reason r = led_earmark_grant(w->ledger, v->pool, wallet, amount_fen, &v->rule);
    if (r != LED_OK) {
        v->refused_n++;
        return r;
    }
    v->last_pay[v->n_holders] = INT32_MIN / 2;
    v->left_seen[v->n_holders] = led_earmarked(w->ledger, wallet);
    v->holder[v->n_holders++] = wallet;
    /* incentives paid into wallets make e-CNY more useful (residents.c) */
    if (v->rule.city < w->n_cities)
        w->city[v->rule.city].incentive_fen_today += amount_fen;
    v->granted_n++;
    v->granted_fen += amount_fen;
    return LED_OK;
}

void prg_vouchers_tag(prg_vouchers *v, wld_world *w, wld_city *c, uint32_t n, uint32_t tag_bit, int32_t day,
                      gsl_rng *r)
{
    /* n counts physical stores (what a campaign declares): they are split
     * over the physical categories taking part by their shares, so an
     * online category's merchants never sit in the denominator. Online
     * platforms come on top: one, and one more per 200 stores, when online
     * spending is allowed. */
    int ncat = w->data->n_categories;
    double total = 0;
    int largest = -1; /* the physical category with the most merchants */
    for (int k = 0; k < ncat; k++)
        if ((!v->category_mask || (v->category_mask >> k & 1)) && !w->data->category[k].online) {
            total += (double)c->merchants_total[k];
            if (largest < 0 || c->merchants_total[k] > c->merchants_total[largest])
                largest = k;
        }
    /* Rounded share by share, a few stores at a coarse scale could round to
     * none at all: then the largest category takes them (at least one). */
    uint32_t rounded = 0;
    for (int k = 0; k < ncat; k++)
        if ((!v->category_mask || (v->category_mask >> k & 1)) && !w->data->category[k].online && total > 0)
            rounded += (uint32_t)llround((double)n * (double)c->merchants_total[k] / total);
    for (int k = 0; k < ncat; k++) {
        if (v->category_mask && !(v->category_mask >> k & 1))
            continue;
        bool online = w->data->category[k].online;
        if (online && v->online_share == 0)
            continue; /* an override of 0: no online purchases */
        if (!online && total <= 0)
            continue; /* an online-only campaign: its platforms alone */
        uint32_t want = online ? (v->n_platforms ? (uint32_t)v->n_platforms : 1 + (uint32_t)(n / 200))
                               : (uint32_t)llround((double)n * (double)c->merchants_total[k] / total);
        if (!online && rounded == 0 && n > 0 && k == largest)
            want = n;
        if (want > c->merchants_total[k])
            want = c->merchants_total[k];
        while (c->merchants_accepting[k] < want && prg_onboard_merchant(w, c, k, day, r) != LED_NONE)
            ;
        uint32_t have = c->merchants_accepting[k];
        uint32_t start = have > want ? rng_below(r, have - want + 1) : 0;
        for (uint32_t i = 0; i < want && i < have && v->n_merchants < v->cap_merchants; i++) {
            led_acct m = c->accepting[k][start + i];
            led_set_merchant_category(w->ledger, m, (uint8_t)k);
            if (tag_bit < 32 && w->prg && w->prg->tags) {
                w->prg->tags[m] |= UINT32_C(1) << tag_bit; /* a merchant may take part in several */
                led_set_merchant_tag(w->ledger, m, w->prg->tags[m]);
            }
            v->merchant_cat[v->n_merchants] = (uint8_t)k;
            v->merchants[v->n_merchants++] = m;
        }
    }
}

void prg_vouchers_expired(prg_vouchers *v, int64_t back_fen)
{
    v->clawback_fen += back_fen;
    /* what left the earmarks since the last look and did not come back was
     * spent by everyday purchases on the last days */
    int64_t unseen = v->granted_fen - v->spent_fen - v->clawback_fen;
    if (unseen > 0) {
        v->spent_fen += unseen;
        v->spent_everyday_fen += unseen;
    }
}

/* A category's weight among the categories taking part: its share of
 * occasions, or online its platforms' (platforms.c). */
static double occasion_weight(const prg_vouchers *v, const wld_world *w, int k)
{
    if (v->n_platforms && w->data->category[k].online)
        return plt_occasion_share(v, w);
    return w->data->category[k].occasion_share;
}

bool prg_vouchers_spend_day(prg_vouchers *v, wld_world *w, wld_city *c, gsl_rng *r, int32_t day)
{
    if (v->n_merchants == 0)
        return true;
    uint32_t n_online = 0, taking_part[DAT_MAX_CATEGORIES] = {0};
    for (uint32_t i = 0; i < v->n_merchants; i++) {
        n_online += w->data->category[v->merchant_cat[i]].online;
        taking_part[v->merchant_cat[i]]++;
    }
    /* merchants by category (counting sort), for category-driven purchases */
    uint32_t cat_n[DAT_MAX_CATEGORIES] = {0}, cat_first[DAT_MAX_CATEGORIES] = {0}, fill[DAT_MAX_CATEGORIES];
    uint32_t *by_cat = NULL;
    double occ_total = 0;
    int last_cat = v->merchant_cat[0];
    uint32_t *by_side = NULL; /* the override's merchants: online ones first, then shops */
    if (v->online_share >= 0) {
        by_side = malloc((size_t)v->n_merchants * sizeof *by_side);
        if (!by_side)
            return false;
        uint32_t on = 0, off = n_online;
        for (uint32_t i = 0; i < v->n_merchants; i++)
            by_side[w->data->category[v->merchant_cat[i]].online ? on++ : off++] = i;
    }
    if (v->online_share < 0) {
        by_cat = malloc((size_t)v->n_merchants * sizeof *by_cat);
        if (!by_cat)
            return false;
        for (uint32_t i = 0; i < v->n_merchants; i++)
            cat_n[v->merchant_cat[i]]++;
        uint32_t at = 0;
        for (int k = 0; k < w->data->n_categories; k++) {
            cat_first[k] = fill[k] = at;
            at += cat_n[k];
            if (cat_n[k]) {
                occ_total += occasion_weight(v, w, k);
                last_cat = k;
            }
        }
        for (uint32_t i = 0; i < v->n_merchants; i++)
            by_cat[fill[v->merchant_cat[i]]++] = i;
    }
    for (uint32_t h = 0; h < v->n_holders; h++) {
        led_acct wallet = v->holder[h];
        int64_t left = led_earmarked(w->ledger, wallet);
        /* Everyday e-CNY purchases at participating merchants spend the
         * earmarked money first (the ledger's rule): that is voucher money
         * spent too, by a payment the programme did not draw. */
        if (left < v->left_seen[h]) {
            v->spent_fen += v->left_seen[h] - left;
            v->spent_everyday_fen += v->left_seen[h] - left;
        }
        v->left_seen[h] = left;
        if (left <= 0 || rng_uniform(r) >= v->spend_rate)
            continue;
        uint32_t mi;
        if (v->online_share < 0) {
            /* the purchase's category by its share of occasions among the
             * categories taking part: online platforms get online's share */
            double x = rng_uniform(r) * occ_total;
            int want = last_cat;
            for (int k = 0; k < w->data->n_categories; k++) {
                if (!cat_n[k])
                    continue;
                if (x < occasion_weight(v, w, k)) {
                    want = k;
                    break;
                }
                x -= occasion_weight(v, w, k);
            }
            mi = cat_first[want] + rng_below(r, cat_n[want]);
            mi = by_cat[mi];
        } else {
            /* the override: online with chance online_pct, among the online
             * merchants (platforms) or else the shops, each drawn directly */
            bool online = n_online > 0 && (n_online == v->n_merchants || rng_uniform(r) < v->online_share);
            uint32_t n_side = online ? n_online : v->n_merchants - n_online; /* > 0 either way */
            mi = by_side[(online ? 0 : n_online) + rng_below(r, n_side)];
        }
        int cat = v->merchant_cat[mi], platform = -1, ticket_cat = cat;
        /* the purchase needs a participating store on the holder's route:
         * with a share a of the category's stores taking part, the
         * economy's reach a (1 + h) / (a + h) (residents.c), so few stores
         * are used less (an online platform is always at hand) */
        if (!w->data->category[cat].online && c->merchants_total[cat] > 0) {
            double a = fmin(1.0, (double)taking_part[cat] / (double)c->merchants_total[cat]), half = w->p.reach_half;
            if (half > 0 && rng_uniform(r) >= a * (1.0 + half) / (a + half))
                continue;
        }
        if (v->n_platforms && w->data->category[cat].online) {
            mi = plt_pick(v, w, r, mi, &platform);
            ticket_cat = plt_ticket_category(v, w, r, platform);
        }
        int64_t amount = prg_ticket(w, r, ticket_cat);
        if (amount < v->threshold_fen)
            amount = v->threshold_fen; /* buyers bunch at the threshold */
        /* a windfall is spent as a budget: many purchases are planned to use
         * up what is left on the voucher, neither more nor less */
        if (v->threshold_fen == 0 && rng_uniform(r) < w->p.use_up_share)
            amount = left;
        pay_rule rule = pay_rule_programme(w, PAY_PAYEE_MERCHANT);
        if (pay_transfer(w, c, wallet, v->merchants[mi], amount, &rule) != LED_OK)
            continue;
        int64_t used = left - led_earmarked(w->ledger, wallet);
        v->left_seen[h] = led_earmarked(w->ledger, wallet);
        v->payments++;
        v->spent_fen += used;
        v->spent_by_cat_fen[cat] += used;
        if (w->data->category[cat].online)
            v->spent_online_fen += used;
        if (platform >= 0)
            v->spent_by_platform_fen[platform] += used;
        if (amount > used) {
            v->topups_n++;
            v->topup_fen += amount - used;
        }
        v->last_pay[h] = day;
        if (!v->spent_once[h]) {
            v->spent_once[h] = 1;
            v->spenders++;
        }
    }
    free(by_cat);
    free(by_side);
    return true;
}

void prg_vouchers_report(const prg_vouchers *v, prg_programme *p, const wld_world *w)
{
    double k = (double)w->scale;
    prg_out(p, "claimed", "people", (double)v->granted_n * k);
    prg_out(p, "claimed_value", "yuan", (double)v->granted_fen * k / 100.0);
    prg_out(p, "spenders", "people", (double)v->spenders * k);
    prg_out(p, "spent", "yuan", (double)v->spent_fen * k / 100.0);
    prg_out(p, "spent_pct_of_claimed", "%", v->granted_fen ? 100.0 * (double)v->spent_fen / (double)v->granted_fen : 0);
    prg_out(p, "payments", "payments", (double)v->payments * k);
    prg_out(p, "own_money_topups", "payments", (double)v->topups_n * k);
    prg_out(p, "own_money_topup_value", "yuan", (double)v->topup_fen * k / 100.0);
    /* Of the spending whose channel is known: voucher money that everyday
     * purchases spent (the earmark drew on it first) is in spent but its
     * channel is not recorded; it is taken to split as the drawn spending. */
    int64_t drawn = v->spent_fen - v->spent_everyday_fen;
    prg_out(p, "online_share", "%", drawn > 0 ? 100.0 * (double)v->spent_online_fen / (double)drawn : 0);
    prg_out(p, "clawed_back", "yuan", (double)v->clawback_fen * k / 100.0);
    static char names[DAT_MAX_CATEGORIES][48];
    for (int cat = 0; cat < w->data->n_categories; cat++) {
        if (v->spent_by_cat_fen[cat] == 0)
            continue;
        snprintf(names[cat], sizeof names[cat], "spent_%s", w->data->category[cat].category);
        prg_out(p, names[cat], "yuan", (double)v->spent_by_cat_fen[cat] * k / 100.0);
    }
    plt_report(v, p, w);
}

static int cmp_acct(const void *a, const void *b)
{
    led_acct x = *(const led_acct *)a, y = *(const led_acct *)b;
    return (x > y) - (x < y);
}

int64_t prg_count_active(const wld_world *w, const wld_city *c, const led_acct *list, uint32_t n,
                         const prg_vouchers *v, int32_t day)
{
    if (n == 0)
        return 0;
    int32_t window = w->p.active_window_days;
    led_acct *sorted = malloc((size_t)n * sizeof *sorted);
    uint8_t *active = calloc(n, 1);
    if (!sorted || !active) {
        free(sorted);
        free(active);
        return -1;
    }
    memcpy(sorted, list, (size_t)n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_acct);
    /* One pass over adopters: the residents model may have moved them. */
    for (uint32_t a = 0; a < c->n_adopters; a++) {
        if (c->last_pay_day[a] <= day - window)
            continue;
        led_acct *hit = bsearch(&c->wallet[a], sorted, n, sizeof *sorted, cmp_acct);
        if (hit)
            active[hit - sorted] = 1;
    }
    for (uint32_t h = 0; v && h < v->n_holders; h++) {
        if (v->last_pay[h] <= day - window)
            continue;
        led_acct *hit = bsearch(&v->holder[h], sorted, n, sizeof *sorted, cmp_acct);
        if (hit)
            active[hit - sorted] = 1;
    }
    int64_t count = 0;
    for (uint32_t i = 0; i < n; i++)
        count += active[i];
    free(sorted);
    free(active);
    return count;
}

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

typedef void (*prg_save_fn)(const prg_programme *p, ckp_writer *ck);
typedef void (*prg_load_fn)(prg_programme *p, ckp_reader *ck);
static const prg_save_fn savers[PRG_KINDS] = {air_save, trn_save, rur_save, prl_save, loan_save, inc_save, off_save};
static const prg_load_fn loaders[PRG_KINDS] = {air_load, trn_load, rur_load, prl_load, loan_load, inc_load, off_load};

void prg_save(const prg_set *s, const wld_world *w, ckp_writer *ck)
{
    SIM_ASSERT(s && w && ck, "programmes, world and a checkpoint writer");
    ckp_put_tag(ck, CKP_TAG('P', 'R', 'G', 'S'));
    ckp_put_u32(ck, (uint32_t)s->n);
    ckp_put_u32(ck, s->next_tag);
    for (int i = 0; i < s->n; i++) {
        const prg_programme *p = &s->p[i];
        ckp_put_u32(ck, (uint32_t)p->kind);
        ckp_put_str(ck, p->name);
        ckp_put_i64(ck, p->cost_fen);
        int64_t up[] = {p->before_pay, p->before_value, p->during_pay, p->during_value, p->during_days};
        ckp_put(ck, up, sizeof up);
        ckp_put_rng(ck, p->rng);
        savers[p->kind](p, ck);
    }
    /* Merchant tags: only accounts opened so far can carry one. */
    ckp_put_array(ck, s->tags, sizeof *s->tags, s->tags ? led_accounts(w->ledger) : 0);
    kpi_save(s->kpi, ck);
}

void prg_load(prg_set *s, wld_world *w, ckp_reader *ck)
{
    SIM_ASSERT(s && w && ck, "programmes, world and a checkpoint reader");
    if (!ckp_expect_tag(ck, CKP_TAG('P', 'R', 'G', 'S'), "programmes"))
        return;
    uint32_t n = ckp_get_u32(ck);
    if (!ckp_read_failed(ck) && n != (uint32_t)s->n) {
        ckp_fail(ck, "the checkpoint has %u programmes, this scenario %d: programmes cannot be added or removed "
                     "when resuming", n, s->n);
        return;
    }
    s->next_tag = ckp_get_u32(ck);
    for (int i = 0; i < s->n && !ckp_read_failed(ck); i++) {
        prg_programme *p = &s->p[i];
        uint32_t kind = ckp_get_u32(ck);
        char name[64] = "";
        uint32_t len = ckp_get_u32(ck);
        if (len < sizeof name)
            ckp_get(ck, name, len);
        if (ckp_read_failed(ck))
            return;
        if (kind != (uint32_t)p->kind || len >= sizeof name || strcmp(name, p->name) != 0) {
            ckp_fail(ck, "programme %d is [%s.%s] in this scenario but not in the checkpoint: programmes cannot be "
                         "added, removed or renamed when resuming", i + 1, kinds[p->kind]->section, p->name);
            return;
        }
        p->cost_fen = ckp_get_i64(ck);
        int64_t up[5];
        ckp_get(ck, up, sizeof up);
        p->before_pay = up[0];
        p->before_value = up[1];
        p->during_pay = up[2];
        p->during_value = up[3];
        p->during_days = (int32_t)up[4];
        ckp_get_rng(ck, p->rng);
        loaders[p->kind](p, ck);
    }
    if (ckp_read_failed(ck))
        return;
    uint64_t room = s->tags ? (uint64_t)w->max_accounts + 1 : 0;
    if (s->tags)
        memset(s->tags, 0, (size_t)room * sizeof *s->tags);
    ckp_get_array(ck, s->tags, sizeof *s->tags, room, "merchant tags");
    kpi_load(s->kpi, ck);
}

void prg_vouchers_save(const prg_vouchers *v, ckp_writer *ck)
{
    ckp_put_tag(ck, CKP_TAG('V', 'O', 'U', 'C'));
    ckp_put_u32(ck, v->pool);
    ckp_put_array(ck, v->merchants, sizeof *v->merchants, v->n_merchants);
    ckp_put_array(ck, v->merchant_cat, sizeof *v->merchant_cat, v->n_merchants);
    ckp_put_array(ck, v->holder, sizeof *v->holder, v->n_holders);
    ckp_put_array(ck, v->spent_once, sizeof *v->spent_once, v->n_holders);
    ckp_put_array(ck, v->last_pay, sizeof *v->last_pay, v->n_holders);
    ckp_put_array(ck, v->left_seen, sizeof *v->left_seen, v->n_holders);
    ckp_put_i64(ck, v->spent_everyday_fen);
    int64_t c[] = {v->granted_n, v->granted_fen, v->refused_n, v->spent_fen, v->payments, v->topups_n,
                   v->topup_fen, v->clawback_fen, v->spent_online_fen, v->spenders};
    ckp_put(ck, c, sizeof c);
    ckp_put(ck, v->spent_by_cat_fen, sizeof v->spent_by_cat_fen);
    ckp_put(ck, v->spent_by_platform_fen, sizeof v->spent_by_platform_fen);
}

void prg_vouchers_load(prg_vouchers *v, ckp_reader *ck, const char *what)
{
    if (!ckp_expect_tag(ck, CKP_TAG('V', 'O', 'U', 'C'), what))
        return;
    v->pool = ckp_get_u32(ck);
    v->n_merchants = (uint32_t)ckp_get_array(ck, v->merchants, sizeof *v->merchants, v->cap_merchants, what);
    if (ckp_get_array(ck, v->merchant_cat, sizeof *v->merchant_cat, v->cap_merchants, what) != v->n_merchants)
        ckp_fail(ck, "corrupt checkpoint: %s: merchant columns disagree", what);
    v->n_holders = (uint32_t)ckp_get_array(ck, v->holder, sizeof *v->holder, v->cap_holders, what);
    if (ckp_get_array(ck, v->spent_once, sizeof *v->spent_once, v->cap_holders, what) != v->n_holders ||
        ckp_get_array(ck, v->last_pay, sizeof *v->last_pay, v->cap_holders, what) != v->n_holders ||
        ckp_get_array(ck, v->left_seen, sizeof *v->left_seen, v->cap_holders, what) != v->n_holders)
        ckp_fail(ck, "corrupt checkpoint: %s: holder columns disagree", what);
    v->spent_everyday_fen = ckp_get_i64(ck);
    int64_t c[10];
    ckp_get(ck, c, sizeof c);
    v->granted_n = c[0];
    v->granted_fen = c[1];
    v->refused_n = c[2];
    v->spent_fen = c[3];
    v->payments = c[4];
    v->topups_n = c[5];
    v->topup_fen = c[6];
    v->clawback_fen = c[7];
    v->spent_online_fen = c[8];
    v->spenders = c[9];
    ckp_get(ck, v->spent_by_cat_fen, sizeof v->spent_by_cat_fen);
    ckp_get(ck, v->spent_by_platform_fen, sizeof v->spent_by_platform_fen);
}
