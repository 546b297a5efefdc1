/* transit.c: bus and metro lines that accept e-CNY ([transit.NAME], prefix trn_).
 *
 * From its start date the operator takes e-CNY: riders_per_day residents
 * make trips_per_rider trips, spread over the day with morning and evening
 * peaks. Riders who hold a wallet pay a trip in e-CNY with chance
 * ecny_choice (promo_choice while a promotional fare such as 0.01 yuan
 * runs). A soft wallet pays by QR code online (led_pay); a hard wallet taps
 * offline (led_pay_offline) and its taps post when the gates sync at
 * sync_hour (led_sync), where a double spend is caught. Aware residents who
 * ride and have no wallet open one with a small daily chance (larger under
 * the promotion): wallets opened through transit. The operator redeems its
 * takings every evening; the promotion's cost is the fare forgone.
 *
 * Cost: one event per service hour; O(e-CNY rides) per hour.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "models/programme.h"
#include "sim/calendar.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end, promo_start, promo_end;
    int64_t riders, fare_fen, promo_fare_fen;
    double trips_per_rider, choice, promo_choice, open_p, promo_open_p, hour_weight[24];
    int sync_hour, lines;
    int64_t offline_limit_fen;
    /* run */
    led_acct op;
    led_acct *tapped;
    uint32_t n_tapped, cap_tapped;
    int64_t rides, ecny_rides, qr_rides, taps, tap_refused, synced_taps, sync_refused, posted_fen;
    int64_t revenue_fen, qr_today_fen, opened, promo_rides, refused;
} trn_state;

static bool in_promo(const trn_state *t, int32_t day) { return day >= t->promo_start && day <= t->promo_end; }

static bool trn_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    trn_state *t = calloc(1, sizeof *t);
    if (!t) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    p->state = t;
    char where[600];
    t->start = scn_date(in, "start");
    t->end = scn_has(in, "end") ? scn_date(in, "end") : INT32_MAX;
    if (t->end < t->start) {
        scn_where(doc, in, "end", where, sizeof where);
        err_add(errs, "%s: end in [transit.%s] is before start: expected on or after it", where, p->name);
        return false;
    }
    t->promo_start = scn_has(in, "promo_start") ? scn_date(in, "promo_start") : INT32_MAX;
    t->promo_end = scn_has(in, "promo_end") ? scn_date(in, "promo_end") : (scn_has(in, "promo_start") ? t->end : -1);
    if (t->promo_end < t->promo_start && scn_has(in, "promo_start")) {
        scn_where(doc, in, "promo_end", where, sizeof where);
        err_add(errs, "%s: promo_end in [transit.%s] is before promo_start: expected on or after it", where, p->name);
        return false;
    }
    t->riders = scn_int(in, "riders_per_day");
    t->trips_per_rider = scn_real(in, "trips_per_rider");
    t->fare_fen = scn_fen(in, "fare_yuan");
    t->promo_fare_fen = scn_fen(in, "promo_fare_yuan");
    if (t->promo_fare_fen > t->fare_fen) {
        scn_where(doc, in, "promo_fare_yuan", where, sizeof where);
        err_add(errs, "%s: promo_fare_yuan in [transit.%s] is above fare_yuan: expected a discount", where, p->name);
        return false;
    }
    if (t->riders > w->city[p->city].people) {
        scn_where(doc, in, "riders_per_day", where, sizeof where);
        err_add(errs, "%s: riders_per_day in [transit.%s] is above the city's population: expected at most %lld", where,
                p->name, (long long)w->city[p->city].people);
        return false;
    }
    t->choice = scn_real(in, "ecny_choice_pct") / 100.0;
    t->promo_choice = scn_real(in, "promo_choice_pct") / 100.0;
    t->open_p = scn_real(in, "open_pct") / 100.0;
    t->promo_open_p = scn_real(in, "promo_open_pct") / 100.0;
    t->sync_hour = (int)scn_int(in, "sync_hour");
    t->lines = (int)scn_int(in, "lines");
    t->offline_limit_fen = scn_fen(in, "offline_limit_yuan");
    /* Service 5:00-23:00: a flat base and two peaks (one hour either side
     * of the peak hour at half height). */
    int am = (int)scn_int(in, "peak_am_hour"), pm = (int)scn_int(in, "peak_pm_hour");
    double peak = scn_real(in, "peak_share_pct") / 100.0, base_total = 0, peak_total = 0;
    double shape[24] = {0}, base[24] = {0};
    for (int h = 5; h <= 23; h++)
        base[h] = 1.0;
    for (int d = -1; d <= 1; d++) {
        if (am + d >= 0 && am + d < 24)
            shape[am + d] += d ? 0.5 : 1.0;
        if (pm + d >= 0 && pm + d < 24)
            shape[pm + d] += d ? 0.5 : 1.0;
    }
    for (int h = 0; h < 24; h++) {
        base_total += base[h];
        peak_total += shape[h];
    }
    for (int h = 0; h < 24; h++)
        t->hour_weight[h] = (1 - peak) * base[h] / base_total + peak * shape[h] / peak_total;
    *accounts += 1; /* the operator's collection account */
    return true;
}

static bool trn_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    t->op = led_open(w->ledger, LED_MERCHANT, 0, c->bank_acct[0], (uint16_t)c->index);
    int transit = dat_find_category(w->data, "transit");
    if (t->op != LED_NONE && transit >= 0)
        led_set_merchant_category(w->ledger, t->op, (uint8_t)transit);
    double rides_day = (double)t->riders / (double)w->scale * t->trips_per_rider;
    t->cap_tapped = (uint32_t)fmin(4e6, rides_day + 1024);
    t->tapped = malloc((size_t)t->cap_tapped * sizeof *t->tapped);
    if (t->op == LED_NONE || !t->tapped) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [transit.%s]", p->name);
        return false;
    }
    return true;
}

static void trn_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    if (day < t->start || day > t->end)
        return;
    for (int h = 0; h < 24; h++) {
        if (t->hour_weight[h] <= 0 && h != t->sync_hour)
            continue;
        int64_t time_s = (int64_t)day_index * CAL_DAY_S + (int64_t)h * CAL_HOUR_S;
        if (!eng_schedule(eng, time_s, PRG_EVENT_KIND, (uint16_t)c->index, 0, ((int64_t)p->index << 8) | h)) {
            eng_fail(eng, "the event queue is full");
            return;
        }
    }
    /* Riders without a wallet who know of e-CNY open one to ride. */
    double rider_share = (double)t->riders / (double)c->people;
    double q = rider_share * (in_promo(t, day) ? t->promo_open_p : t->open_p);
    for (int s = 0; s < SEGMENTS; s++) {
        if (!SEG_PHONE(s))
            continue;
        int64_t candidates = c->seg_aware[s] + c->seg_downloaded[s];
        unsigned n = candidates > 0 && q > 0 ? gsl_ran_binomial(p->rng, fmin(1.0, q), (unsigned)candidates) : 0;
        for (unsigned i = 0; i < n; i++)
            if (prg_open_wallet(w, c, s, day, p->rng, false) != UINT32_MAX)
                t->opened++;
    }
}

enum led_reason trn_tap(prg_programme *p, wld_world *w, led_acct wallet, int32_t day)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    int64_t fare = in_promo(t, day) ? t->promo_fare_fen : t->fare_fen;
    if (fare <= 0)
        fare = 1;
    enum led_reason r;
    if (led_kind(w->ledger, wallet) == LED_HARD_WALLET) {
        if (led_offline_limit(w->ledger, wallet) != t->offline_limit_fen && t->offline_limit_fen > 0)
            led_set_offline_limit(w->ledger, wallet, t->offline_limit_fen);
        if (t->n_tapped == t->cap_tapped) /* the gate's buffer is full: sync now */
            trn_sync_all(p, w);
        r = pay_offline(w, c, wallet, t->op, fare, w->p.topup_fen);
        if (r == LED_OK) {
            t->taps++;
            t->tapped[t->n_tapped++] = wallet;
        } else {
            t->tap_refused++;
        }
    } else {
        pay_rule rule = pay_rule_programme(w, PAY_PAYEE_KEEPS); /* the operator redeems its own takings */
        r = pay_transfer(w, c, wallet, t->op, fare, &rule);
        if (r == LED_OK) {
            t->qr_rides++;
            t->qr_today_fen += fare;
        } else {
            t->refused++;
        }
    }
    if (r == LED_OK) {
        t->ecny_rides++;
        if (in_promo(t, day)) {
            t->promo_rides++;
            p->cost_fen += t->fare_fen - fare;
        }
    }
    return r;
}

uint32_t trn_sync_all(prg_programme *p, wld_world *w)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    uint32_t refused = 0;
    int64_t before = 0;
    for (uint32_t i = 0; i < t->n_tapped; i++) {
        uint32_t pending = led_pending_count(w->ledger, t->tapped[i]);
        if (pending == 0)
            continue;
        uint32_t bad = led_sync(w->ledger, t->tapped[i]);
        refused += bad;
        t->synced_taps += pending - bad;
    }
    (void)before;
    (void)c;
    t->sync_refused += refused;
    t->n_tapped = 0;
    return refused;
}

led_acct trn_operator(const prg_programme *p) { return ((const trn_state *)p->state)->op; }

static void trn_event(prg_programme *p, wld_world *w, int32_t day, int hour)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    double all = (double)t->riders / (double)w->scale * t->trips_per_rider * t->hour_weight[hour];
    if (all > 0) {
        double holders = c->agents ? (double)c->n_adopters / (double)c->agents : 0;
        double lambda = all * holders * (in_promo(t, day) ? t->promo_choice : t->choice);
        unsigned n = c->n_adopters ? gsl_ran_poisson(p->rng, lambda) : 0;
        unsigned other = gsl_ran_poisson(p->rng, fmax(0.0, all - lambda));
        t->rides += (int64_t)n + other;
        for (unsigned i = 0; i < n; i++)
            trn_tap(p, w, c->wallet[rng_below(p->rng, c->n_adopters)], day);
    }
    if (hour == t->sync_hour)
        trn_sync_all(p, w);
}

static void trn_day_end(prg_programme *p, wld_world *w, int32_t day)
{
    trn_state *t = p->state;
    wld_city *c = &w->city[p->city];
    (void)day;
    /* Everything the operator holds now came today: QR fares and the
     * offline taps posted at sync (or when a card was topped up). */
    int64_t b = led_balance(w->ledger, t->op);
    int64_t offline = b - t->qr_today_fen;
    t->revenue_fen += b;
    t->posted_fen += offline;
    pay_count(c, PAY_RETAIL, 0, offline); /* the taps' value, posted at sync */
    t->qr_today_fen = 0;
    if (b > 0)
        pay_redeem(w, c, t->op, b);
}

static void trn_report(prg_programme *p, wld_world *w)
{
    trn_state *t = p->state;
    double k = (double)w->scale;
    prg_out(p, "lines", "lines", t->lines);
    prg_out(p, "rides", "rides", (double)t->rides * k);
    prg_out(p, "ecny_rides", "rides", (double)t->ecny_rides * k);
    prg_out(p, "ecny_share", "%", t->rides ? 100.0 * (double)t->ecny_rides / (double)t->rides : 0);
    prg_out(p, "qr_rides", "rides", (double)t->qr_rides * k);
    prg_out(p, "offline_taps", "rides", (double)t->taps * k);
    prg_out(p, "offline_posted_at_sync", "rides", (double)t->synced_taps * k);
    prg_out(p, "offline_refused_at_sync", "rides", (double)t->sync_refused * k);
    prg_out(p, "promo_rides", "rides", (double)t->promo_rides * k);
    prg_out(p, "fare_revenue_ecny", "yuan", (double)t->revenue_fen * k / 100.0);
    prg_out(p, "wallets_opened", "wallets", (double)t->opened * k);
    prg_out(p, "promo_fare_forgone", "yuan", (double)p->cost_fen * k / 100.0);
}

static void trn_destroy(prg_programme *p)
{
    trn_state *t = p->state;
    if (!t)
        return;
    free(t->tapped);
    free(t);
    p->state = NULL;
}

const prg_ops trn_ops = {"transit", trn_create, trn_setup, trn_day_start, trn_event, trn_day_end, trn_report, trn_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void trn_save(const prg_programme *p, ckp_writer *ck)
{
    const trn_state *t = p->state;
    ckp_put_tag(ck, CKP_TAG('T', 'R', 'N', 'S'));
    ckp_put_u32(ck, t->op);
    ckp_put_array(ck, t->tapped, sizeof *t->tapped, t->n_tapped); /* taps not synced yet */
    int64_t c[] = {t->rides, t->ecny_rides, t->qr_rides, t->taps, t->tap_refused, t->synced_taps, t->sync_refused,
                   t->posted_fen, t->revenue_fen, t->qr_today_fen, t->opened, t->promo_rides, t->refused};
    ckp_put(ck, c, sizeof c);
}

void trn_load(prg_programme *p, ckp_reader *ck)
{
    trn_state *t = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('T', 'R', 'N', 'S'), "transit"))
        return;
    t->op = ckp_get_u32(ck);
    t->n_tapped = (uint32_t)ckp_get_array(ck, t->tapped, sizeof *t->tapped, t->cap_tapped, "transit taps");
    int64_t c[13];
    ckp_get(ck, c, sizeof c);
    t->rides = c[0];
    t->ecny_rides = c[1];
    t->qr_rides = c[2];
    t->taps = c[3];
    t->tap_refused = c[4];
    t->synced_taps = c[5];
    t->sync_refused = c[6];
    t->posted_fen = c[7];
    t->revenue_fen = c[8];
    t->qr_today_fen = c[9];
    t->opened = c[10];
    t->promo_rides = c[11];
    t->refused = c[12];
}
