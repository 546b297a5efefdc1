/* offline.c: dual-offline and hard-wallet trials ([offline.NAME], prefix off_).
 *
 * A trial gives its participants an offline device: residents who hold a
 * wallet (drawn at random among the city's holders), residents with a
 * smartphone given a soft wallet when holders are too few, and, with
 * hard_wallets, residents without a smartphone given a hard wallet card
 * (all opened through prg_open_wallet, so they count as wallet holders). The
 * device is the wallet's offline purse (the SIM or card value): a
 * LED_HARD_WALLET account of its own, topped up from the bank to load_yuan
 * and moved by nothing but this file, so the residents model's online
 * payments never sync it behind the trial's back.
 *
 * Payments are dual-offline: payer and merchant devices are both offline.
 * Each day at noon every copy of a device makes Poisson(payments_per_day)
 * purchases at the trial's merchants. The device checks its own limits, as
 * a card does: a purchase above per_payment_yuan, above the copy's local
 * offline balance, or with the local log full is refused (paid some other
 * way). An accepted one is written in the device's local log and the
 * merchant device's (receipts pending) and recorded by led_pay_offline; no
 * balance moves. At sync_hour a device that came online today (chance
 * online_per_day) syncs: led_sync posts its log in the order the payments
 * were made, each claim only while the claims posted so far fit in the
 * offline balance of its last sync; a claim beyond it is refused as a
 * double spend (LED_R_DOUBLE_SPEND) and the merchant that accepted it
 * bears the loss. The device is then topped up to load_yuan again. On the
 * trial's last day every device syncs and its balance is redeemed to
 * deposit: circulation returns to where it was.
 *
 * Double spends. A share cloned_pct of devices is tampered: the card is
 * cloned, two copies carry the same offline value and each spends it on its
 * own local balance. The ledger's record-time offline limit of a cloned
 * account is copies x offline_balance_yuan (each copy checks its own limit;
 * no ledger can see two offline copies before they sync). This file replays
 * the sync rule as payments are logged ("attempted": claims that cannot fit
 * in the offline balance) and again at sync, and checks that the ledger
 * refused exactly those (the mismatch count, 0 unless the ledger or this
 * file is wrong). Refused claims move no money: conservation holds.
 *
 * Invariants: every device's local balance >= 0; a copy's unsynced spending
 * <= the offline balance of its last sync <= offline_balance_yuan; every
 * logged payment <= per_payment_yuan; caught = attempted at every sync.
 * Cost: O(devices + their payments) per trial day; nothing walks residents
 * (the first day hands out the devices: O(devices)).
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/pay.h"
#include "models/programme.h"
#include "sim/calendar.h"
#include "sim/rng.h"

#define OFF_LOG_CAP 32   /* payments a device's local log holds between syncs */
#define OFF_COPIES_MAX 2 /* a device and its clone */
#define OFF_PAY_HOUR 12  /* the trial's purchases are drawn at noon */

typedef struct {
    /* configuration */
    int32_t start, end;
    int64_t participants_real, hard_real, merchants_real;
    int64_t per_payment_fen, offline_balance_fen, load_fen, card_fen;
    double payments_per_day, online_per_day, cloned_share;
    int sync_hour;
    /* devices (columns, [0, n_dev)) */
    uint32_t n_dev, cap_dev, n_hard_sim;
    led_acct *dev;            /* the offline purse */
    uint8_t *copies;          /* 1, or 2 for a cloned device */
    int64_t *base_fen;        /* offline balance at the last sync */
    int64_t *local_fen;       /* [dev * OFF_COPIES_MAX + copy]: local offline balance */
    int64_t *fit_fen;         /* logged claims that will post (the sync rule, replayed) */
    uint8_t *log_n;           /* entries in the local log */
    uint32_t *log_merchant;   /* [dev * OFF_LOG_CAP + i]: index in the trial's merchants */
    int64_t *log_fen;         /* [dev * OFF_LOG_CAP + i] */
    /* merchant devices: the trial's merchants and their receipts */
    prg_vouchers m;           /* only its merchant list (prg_vouchers_tag) */
    int64_t *m_lost_fen;
    int32_t *m_listed_day;    /* day the merchant was last put on the city's redemption list */
    /* run */
    bool started, ended;
    int64_t opened, hard_given, cloned, payments, value_fen, refused_limit, refused_balance, refused_log,
        refused_ledger, refused_other, attempted, attempted_fen, synced, synced_fen, caught, caught_fen, mismatch, syncs,
        max_payment_fen, max_unsynced_fen, loaded_fen, redeemed_fen;
} off_state;

static bool bad(const scn_doc *doc, const scn_instance *in, const char *key, err_list *errs, const char *what)
{
    char where[600];
    scn_where(doc, in, key, where, sizeof where);
    err_add(errs, "%s: %s in [offline.%s]: %s", where, key, scn_name(in), what);
    return false;
}

static uint32_t to_sim(int64_t real, int64_t scale) { return (uint32_t)((real + scale / 2) / scale); }

static bool off_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    off_state *s = prg_state_alloc(p, sizeof *s, errs);
    if (!s)
        return false;
    bool ok = prg_read_window(p, doc, &s->start, &s->end, errs);
    s->participants_real = scn_int(in, "participants");
    s->hard_real = scn_int(in, "hard_wallets");
    s->merchants_real = scn_int(in, "merchants");
    s->per_payment_fen = scn_fen(in, "per_payment_yuan");
    s->offline_balance_fen = scn_fen(in, "offline_balance_yuan");
    s->load_fen = scn_fen(in, "load_yuan");
    s->card_fen = scn_fen(in, "card_cost_yuan");
    s->payments_per_day = scn_real(in, "payments_per_day");
    s->online_per_day = scn_real(in, "online_per_day");
    s->cloned_share = scn_real(in, "cloned_pct") / 100.0;
    s->sync_hour = (int)scn_int(in, "sync_hour");
    const wld_city *c = &w->city[p->city];
    if (s->participants_real + s->hard_real > c->people)
        ok = bad(doc, in, "participants", errs, "with hard_wallets is above the city's population: expected at most it");
    if (s->participants_real + s->hard_real == 0)
        ok = bad(doc, in, "participants", errs, "and hard_wallets are both 0: expected someone to take part");
    if (s->per_payment_fen > s->offline_balance_fen)
        ok = bad(doc, in, "per_payment_yuan", errs, "is above offline_balance_yuan: expected a payment to fit in the balance");
    if (s->load_fen > s->offline_balance_fen)
        ok = bad(doc, in, "load_yuan", errs, "is above offline_balance_yuan: expected the device loaded within its limit");
    if (s->sync_hour <= OFF_PAY_HOUR)
        ok = bad(doc, in, "sync_hour", errs, "is not after noon: expected 13-23 (devices pay at noon, sync later)");
    prg_vouchers *v = &s->m;
    if (prg_categories(doc, in, "categories", w, &v->category_mask, errs)) {
        bool physical = false; /* devices pay face to face: an online category alone has no shop */
        for (int k = 0; k < w->data->n_categories; k++)
            physical |= (!v->category_mask || (v->category_mask >> k & 1)) && !w->data->category[k].online;
        if (!physical)
            ok = bad(doc, in, "categories", errs, "names only online categories: expected a category of shops (offline payments are face to face)");
    } else {
        ok = false;
    }
    if (s->end < w->scenario_start_day) /* programmes act from the scenario's start, after any history */
        ok = bad(doc, in, "end", errs, "is before the scenario's start: expected the trial to end within the run");
    if (!ok)
        return false;
    s->n_hard_sim = to_sim(s->hard_real, w->scale);
    s->cap_dev = to_sim(s->participants_real, w->scale) + s->n_hard_sim;
    if (s->cap_dev == 0)
        s->cap_dev = 1;
    *accounts += s->cap_dev; /* the devices (participants' wallets are residents' accounts) */
    w->ext_reserve += s->cap_dev; /* each device is a hard wallet with a side record (the cards given are
                                   * residents' wallets: world.c reserves for every resident who may hold one) */
    return true;
}

/* The trial's shops in simulated units: at least one at any scale. */
static uint32_t off_merchants_sim(const off_state *s, const wld_world *w)
{
    uint32_t m = s->merchants_real ? to_sim(s->merchants_real, w->scale) : 1;
    return m ? m : 1;
}

static bool off_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    off_state *s = p->state;
    wld_city *c = &w->city[p->city];
    size_t n = s->cap_dev;
    s->dev = calloc(n, sizeof *s->dev);
    s->copies = calloc(n, 1);
    s->base_fen = calloc(n, sizeof *s->base_fen);
    s->local_fen = calloc(n * OFF_COPIES_MAX, sizeof *s->local_fen);
    s->fit_fen = calloc(n, sizeof *s->fit_fen);
    s->log_n = calloc(n, 1);
    s->log_merchant = calloc(n * OFF_LOG_CAP, sizeof *s->log_merchant);
    s->log_fen = calloc(n * OFF_LOG_CAP, sizeof *s->log_fen);
    uint32_t m = off_merchants_sim(s, w);
    bool ok = s->dev && s->copies && s->base_fen && s->local_fen && s->fit_fen && s->log_n &&
              s->log_merchant && s->log_fen && prg_vouchers_alloc(&s->m, 0, m + 64);
    if (ok) {
        size_t cm = (size_t)s->m.cap_merchants + 1;
        s->m_lost_fen = calloc(cm, sizeof *s->m_lost_fen);
        s->m_listed_day = calloc(cm, sizeof *s->m_listed_day);
        ok = s->m_lost_fen && s->m_listed_day;
    }
    if (!ok) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [offline.%s]", p->name);
        return false;
    }
    s->m.online_share = 0; /* in person: the trial's merchants are physical stores */
    for (uint32_t i = 0; i < s->cap_dev; i++) {
        int bank = wld_pick_bank(w, p->rng, s->start);
        s->dev[i] = led_open(w->ledger, LED_HARD_WALLET, 4, c->bank_acct[bank], (uint16_t)c->index);
        if (s->dev[i] == LED_NONE) {
            char where[600];
            scn_where(p->doc, p->in, "participants", where, sizeof where);
            err_add(errs, "%s: [offline.%s] needs %u offline devices and the ledger has room for %u: lower "
                          "participants and hard_wallets or raise 'scale' in [scenario]",
                    where, p->name, s->cap_dev, i);
            return false;
        }
    }
    p->window_start = s->start;
    p->window_end = s->end;
    return true;
}

/* A segment of residents without a wallet, phone or not, weighted by how
 * many there are; -1 when none is left. */
static int pick_segment(const wld_city *c, gsl_rng *r, bool phone)
{
    double non[SEGMENTS] = {0}, total = 0;
    for (int g = 0; g < SEGMENTS; g++)
        if ((bool)SEG_PHONE(g) == phone) {
            non[g] = (double)(c->seg_total[g] - c->seg_adopted[g]);
            total += non[g] > 0 ? non[g] : 0;
        }
    if (total < 1)
        return -1;
    double u = rng_uniform(r) * total;
    int last = -1;
    for (int g = 0; g < SEGMENTS; g++) {
        if (non[g] <= 0)
            continue;
        last = g;
        if (u < non[g])
            return g;
        u -= non[g];
    }
    return last;
}

/* Syncs device i: posts its log through led_sync, replays the sync rule to
 * find the refused claims (the merchants' losses), checks the ledger
 * refused exactly those, and empties the log. */
static void sync_device(prg_programme *p, wld_world *w, uint32_t i, int32_t day)
{
    off_state *s = p->state;
    wld_city *c = &w->city[p->city];
    led_acct d = s->dev[i];
    uint32_t n = s->log_n[i];
    int64_t posted = 0, base = s->base_fen[i];
    uint32_t refused_expected = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t mi = s->log_merchant[(size_t)i * OFF_LOG_CAP + j];
        int64_t a = s->log_fen[(size_t)i * OFF_LOG_CAP + j];
        if (posted + a > base) {
            refused_expected++;
            s->m_lost_fen[mi] += a;
            s->caught_fen += a;
            continue;
        }
        posted += a;
        /* the merchants model redeems what merchants collected today */
        led_acct m = s->m.merchants[mi];
        if (led_balance(w->ledger, m) == 0 && s->m_listed_day[mi] != day && c->n_paid_today < c->merchants_all) {
            c->paid_today[c->n_paid_today++] = m;
            s->m_listed_day[mi] = day;
        }
    }
    uint64_t ds_before = led_day(w->ledger, (uint16_t)c->index)->rejected[LED_R_DOUBLE_SPEND];
    uint32_t refused = n ? led_sync(w->ledger, d) : 0;
    uint64_t ds = led_day(w->ledger, (uint16_t)c->index)->rejected[LED_R_DOUBLE_SPEND] - ds_before;
    /* two paths to one answer: the ledger's refusals and the replay */
    if (refused != refused_expected || ds != refused)
        s->mismatch++;
    s->caught += (int64_t)ds;
    s->refused_other += (int64_t)(refused - ds);
    s->synced += n - refused;
    s->synced_fen += posted;
    s->syncs++;
    pay_count(c, PAY_RETAIL, n - refused, posted);
    s->log_n[i] = 0;
    s->fit_fen[i] = 0;
}

/* Tops device i up to load_yuan (online, right after a sync) and gives every
 * copy the new offline balance. */
static void load_device(off_state *s, wld_world *w, wld_city *c, uint32_t i)
{
    int64_t have = led_balance(w->ledger, s->dev[i]);
    if (have < s->load_fen && pay_topup(w, c, s->dev[i], s->load_fen - have))
        s->loaded_fen += s->load_fen - have;
    s->base_fen[i] = led_offline_balance(w->ledger, s->dev[i]);
    for (int k = 0; k < OFF_COPIES_MAX; k++)
        s->local_fen[(size_t)i * OFF_COPIES_MAX + (size_t)k] = k < s->copies[i] ? s->base_fen[i] : 0;
}

/* The first day: participants, their devices, the merchants. False when
 * memory is short. */
static bool start_trial(prg_programme *p, wld_world *w, int32_t day)
{
    off_state *s = p->state;
    wld_city *c = &w->city[p->city];
    gsl_rng *r = p->rng;
    uint32_t want_soft = s->cap_dev - s->n_hard_sim;
    /* holders first: a device is an offline purse beside the holder's own
     * wallet, loaded from deposit, so which holders take part does not
     * matter to the trial */
    s->n_dev = want_soft < c->n_adopters ? want_soft : c->n_adopters;
    /* then residents with a smartphone given a wallet, then the cards */
    while (s->n_dev < want_soft) {
        int g = pick_segment(c, r, true);
        uint32_t a = g < 0 ? UINT32_MAX : prg_open_wallet(w, c, g, day, r, false);
        if (a == UINT32_MAX)
            break;
        s->n_dev++;
        s->opened++;
    }
    for (uint32_t j = 0; j < s->n_hard_sim; j++) {
        int g = pick_segment(c, r, false);
        uint32_t a = g < 0 ? UINT32_MAX : prg_open_wallet(w, c, g, day, r, true);
        if (a == UINT32_MAX)
            break;
        s->n_dev++;
        s->hard_given++;
        p->cost_fen += s->card_fen;
    }
    prg_vouchers_tag(&s->m, w, c, off_merchants_sim(s, w), 32, day, r);
    for (uint32_t i = 0; i < s->n_dev; i++) {
        s->copies[i] = rng_uniform(r) < s->cloned_share ? 2 : 1;
        s->cloned += s->copies[i] == 2;
        led_set_offline_limit(w->ledger, s->dev[i], s->offline_balance_fen * s->copies[i]);
        load_device(s, w, c, i);
    }
    s->started = true;
    return true;
}

/* One copy's purchase at a merchant of the trial: the device's own checks,
 * then the local logs of both devices and the ledger's pending record. */
static void pay_once(prg_programme *p, wld_world *w, uint32_t i, int copy)
{
    off_state *s = p->state;
    gsl_rng *r = p->rng;
    uint32_t mi = rng_below(r, s->m.n_merchants);
    int64_t amount = prg_ticket(w, r, s->m.merchant_cat[mi]);
    int64_t *local = &s->local_fen[(size_t)i * OFF_COPIES_MAX + (size_t)copy];
    if (amount > s->per_payment_fen) {
        s->refused_limit++;
        return;
    }
    if (amount > *local) {
        s->refused_balance++;
        return;
    }
    if (s->log_n[i] >= OFF_LOG_CAP) {
        s->refused_log++;
        return;
    }
    if (led_pay_offline(w->ledger, s->dev[i], s->m.merchants[mi], amount) != LED_OK) {
        s->refused_ledger++;
        return;
    }
    *local -= amount;
    size_t at = (size_t)i * OFF_LOG_CAP + s->log_n[i]++;
    s->log_merchant[at] = mi;
    s->log_fen[at] = amount;
    s->payments++;
    s->value_fen += amount;
    if (amount > s->max_payment_fen)
        s->max_payment_fen = amount;
    if (s->base_fen[i] - *local > s->max_unsynced_fen)
        s->max_unsynced_fen = s->base_fen[i] - *local;
    /* the sync rule, replayed in the order of payments */
    if (s->fit_fen[i] + amount <= s->base_fen[i]) {
        s->fit_fen[i] += amount;
    } else {
        s->attempted++;
        s->attempted_fen += amount;
    }
}

static void off_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    off_state *s = p->state;
    wld_city *c = &w->city[p->city];
    if (day < s->start || s->ended)
        return;
    if (!s->started && !start_trial(p, w, day)) {
        prg_fail_memory(p, w, "drawing the participants of an offline trial");
        return;
    }
    for (int h = 0; h < 2; h++) {
        int hour = h ? s->sync_hour : OFF_PAY_HOUR;
        int64_t time_s = (int64_t)day_index * CAL_DAY_S + (int64_t)hour * CAL_HOUR_S;
        if (!eng_schedule(eng, time_s, PRG_EVENT_KIND, (uint16_t)c->index, 0, ((int64_t)p->index << 8) | hour)) {
            eng_fail(eng, "the event queue is full");
            return;
        }
    }
}

static void off_event(prg_programme *p, wld_world *w, int32_t day, int hour)
{
    off_state *s = p->state;
    wld_city *c = &w->city[p->city];
    if (!s->started || s->ended)
        return;
    if (hour == OFF_PAY_HOUR) {
        if (s->m.n_merchants == 0)
            return;
        for (uint32_t i = 0; i < s->n_dev; i++)
            for (int k = 0; k < s->copies[i]; k++) {
                unsigned n = gsl_ran_poisson(p->rng, s->payments_per_day);
                for (unsigned j = 0; j < n; j++)
                    pay_once(p, w, i, k);
            }
        return;
    }
    bool last = day >= s->end;
    for (uint32_t i = 0; i < s->n_dev; i++) {
        if (!last && rng_uniform(p->rng) >= s->online_per_day)
            continue;
        sync_device(p, w, i, day);
        if (!last) {
            load_device(s, w, c, i);
            continue;
        }
        /* the trial closes: what is left goes back to deposit */
        int64_t left = led_balance(w->ledger, s->dev[i]);
        if (left > 0 && pay_redeem(w, c, s->dev[i], left))
            s->redeemed_fen += left;
        s->base_fen[i] = 0;
        for (int k = 0; k < OFF_COPIES_MAX; k++)
            s->local_fen[(size_t)i * OFF_COPIES_MAX + (size_t)k] = 0;
    }
    if (last)
        s->ended = true;
}

static void off_report(prg_programme *p, wld_world *w)
{
    off_state *s = p->state;
    double k = (double)w->scale;
    int64_t pending = 0, lost = 0;
    for (uint32_t i = 0; i < s->n_dev; i++)
        pending += s->log_n[i];
    for (uint32_t i = 0; i < s->m.n_merchants; i++)
        lost += s->m_lost_fen[i];
    /* the participants as declared once every device is handed out (7 at
     * scale 100 are 7, not the one agent's 100); devices x scale when the
     * city ran short of people to give them to */
    double participants = s->n_dev == s->cap_dev ? (double)(s->participants_real + s->hard_real) : (double)s->n_dev * k;
    prg_out(p, "participants", "people", participants);
    prg_out(p, "hard_wallets_given", "wallets", (double)s->hard_given * k);
    prg_out(p, "wallets_opened", "wallets", (double)(s->opened + s->hard_given) * k);
    prg_out(p, "merchants", "merchants", (double)s->m.n_merchants * k);
    prg_out(p, "cloned_devices", "devices", (double)s->cloned * k);
    prg_out(p, "offline_payments", "payments", (double)s->payments * k);
    prg_out(p, "offline_value", "yuan", (double)s->value_fen * k / 100.0);
    prg_out(p, "refused_over_payment_limit", "payments", (double)s->refused_limit * k);
    prg_out(p, "refused_over_offline_balance", "payments", (double)s->refused_balance * k);
    prg_out(p, "refused_log_full", "payments", (double)s->refused_log * k);
    prg_out(p, "refused_by_ledger", "payments", (double)s->refused_ledger * k);
    prg_out(p, "syncs", "syncs", (double)s->syncs * k);
    prg_out(p, "synced_payments", "payments", (double)s->synced * k);
    prg_out(p, "synced_value", "yuan", (double)s->synced_fen * k / 100.0);
    prg_out(p, "pending_payments", "payments", (double)pending * k);
    prg_out(p, "double_spends_attempted", "payments", (double)s->attempted * k);
    prg_out(p, "double_spends_caught", "payments", (double)s->caught * k);
    prg_out(p, "double_spend_value", "yuan", (double)lost * k / 100.0);
    prg_out(p, "refused_at_sync_other", "payments", (double)s->refused_other * k);
    prg_out(p, "loaded", "yuan", (double)s->loaded_fen * k / 100.0);
}

static void off_destroy(prg_programme *p)
{
    off_state *s = p->state;
    if (!s)
        return;
    free(s->dev);
    free(s->copies);
    free(s->base_fen);
    free(s->local_fen);
    free(s->fit_fen);
    free(s->log_n);
    free(s->log_merchant);
    free(s->log_fen);
    free(s->m_lost_fen);
    free(s->m_listed_day);
    prg_vouchers_free(&s->m);
    free(s);
    p->state = NULL;
}

const prg_ops off_ops = {"offline", off_create, off_setup, off_day_start, off_event, NULL, off_report, off_destroy};

/* -------------------------------------------------------------- test hooks */

void off_stats_get(const prg_programme *p, off_stats *out)
{
    const off_state *s = p->state;
    *out = (off_stats){.devices = s->n_dev,
                       .cloned = s->cloned,
                       .payments = s->payments,
                       .value_fen = s->value_fen,
                       .synced = s->synced,
                       .synced_fen = s->synced_fen,
                       .attempted = s->attempted,
                       .caught = s->caught,
                       .caught_fen = s->caught_fen,
                       .mismatch = s->mismatch,
                       .refused_other = s->refused_other,
                       .refused_limit = s->refused_limit,
                       .refused_balance = s->refused_balance,
                       .max_payment_fen = s->max_payment_fen,
                       .max_unsynced_fen = s->max_unsynced_fen,
                       .loaded_fen = s->loaded_fen,
                       .redeemed_fen = s->redeemed_fen};
}

led_acct off_device(const prg_programme *p, uint32_t i)
{
    const off_state *s = p->state;
    return i < s->n_dev ? s->dev[i] : LED_NONE;
}

led_acct off_merchant(const prg_programme *p, uint32_t i)
{
    const off_state *s = p->state;
    return i < s->m.n_merchants ? s->m.merchants[i] : LED_NONE;
}

uint32_t off_merchants(const prg_programme *p) { return ((const off_state *)p->state)->m.n_merchants; }

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void off_save(const prg_programme *p, ckp_writer *ck)
{
    const off_state *s = p->state;
    ckp_put_tag(ck, CKP_TAG('O', 'F', 'F', 'L'));
    uint8_t flags[2] = {s->started, s->ended};
    ckp_put(ck, flags, sizeof flags);
    ckp_put_array(ck, s->dev, sizeof *s->dev, s->cap_dev);
    ckp_put_array(ck, s->copies, 1, s->n_dev);
    ckp_put_array(ck, s->base_fen, sizeof *s->base_fen, s->n_dev);
    ckp_put_array(ck, s->local_fen, sizeof *s->local_fen, (uint64_t)s->n_dev * OFF_COPIES_MAX);
    ckp_put_array(ck, s->fit_fen, sizeof *s->fit_fen, s->n_dev);
    ckp_put_array(ck, s->log_n, 1, s->n_dev);
    ckp_put_array(ck, s->log_merchant, sizeof *s->log_merchant, (uint64_t)s->n_dev * OFF_LOG_CAP);
    ckp_put_array(ck, s->log_fen, sizeof *s->log_fen, (uint64_t)s->n_dev * OFF_LOG_CAP);
    prg_vouchers_save(&s->m, ck);
    uint32_t nm = s->m.n_merchants;
    ckp_put_array(ck, s->m_lost_fen, sizeof *s->m_lost_fen, nm);
    ckp_put_array(ck, s->m_listed_day, sizeof *s->m_listed_day, nm);
    int64_t c[] = {s->opened, s->hard_given, s->cloned, s->payments, s->value_fen, s->refused_limit,
                   s->refused_balance, s->refused_log, s->refused_ledger, s->attempted, s->attempted_fen,
                   s->synced, s->synced_fen, s->caught, s->caught_fen, s->mismatch, s->syncs,
                   s->max_payment_fen, s->max_unsynced_fen, s->loaded_fen, s->redeemed_fen, s->refused_other};
    ckp_put(ck, c, sizeof c);
}

void off_load(prg_programme *p, ckp_reader *ck)
{
    off_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('O', 'F', 'F', 'L'), "offline trial"))
        return;
    uint8_t flags[2];
    ckp_get(ck, flags, sizeof flags);
    s->started = flags[0];
    s->ended = flags[1];
    if (ckp_get_array(ck, s->dev, sizeof *s->dev, s->cap_dev, "offline devices") != s->cap_dev)
        ckp_fail(ck, "corrupt checkpoint: [offline.%s]: the number of devices differs", p->name);
    s->n_dev = (uint32_t)ckp_get_array(ck, s->copies, 1, s->cap_dev, "offline devices");
    uint64_t n = s->n_dev;
    bool same = ckp_get_array(ck, s->base_fen, sizeof *s->base_fen, s->cap_dev, "offline devices") == n &&
                ckp_get_array(ck, s->local_fen, sizeof *s->local_fen, (uint64_t)s->cap_dev * OFF_COPIES_MAX,
                              "offline devices") == n * OFF_COPIES_MAX &&
                ckp_get_array(ck, s->fit_fen, sizeof *s->fit_fen, s->cap_dev, "offline devices") == n &&
                ckp_get_array(ck, s->log_n, 1, s->cap_dev, "offline devices") == n &&
                ckp_get_array(ck, s->log_merchant, sizeof *s->log_merchant, (uint64_t)s->cap_dev * OFF_LOG_CAP,
                              "offline logs") == n * OFF_LOG_CAP &&
                ckp_get_array(ck, s->log_fen, sizeof *s->log_fen, (uint64_t)s->cap_dev * OFF_LOG_CAP,
                              "offline logs") == n * OFF_LOG_CAP;
    if (!same)
        ckp_fail(ck, "corrupt checkpoint: [offline.%s]: device columns disagree", p->name);
    prg_vouchers_load(&s->m, ck, "offline trial merchants");
    uint64_t nm = s->m.n_merchants, cm = (uint64_t)s->m.cap_merchants + 1;
    if (ckp_get_array(ck, s->m_lost_fen, sizeof *s->m_lost_fen, cm, "offline merchants") != nm ||
        ckp_get_array(ck, s->m_listed_day, sizeof *s->m_listed_day, cm, "offline merchants") != nm)
        ckp_fail(ck, "corrupt checkpoint: [offline.%s]: merchant columns disagree", p->name);
    int64_t c[22];
    ckp_get(ck, c, sizeof c);
    s->opened = c[0];
    s->hard_given = c[1];
    s->cloned = c[2];
    s->payments = c[3];
    s->value_fen = c[4];
    s->refused_limit = c[5];
    s->refused_balance = c[6];
    s->refused_log = c[7];
    s->refused_ledger = c[8];
    s->attempted = c[9];
    s->attempted_fen = c[10];
    s->synced = c[11];
    s->synced_fen = c[12];
    s->caught = c[13];
    s->caught_fen = c[14];
    s->mismatch = c[15];
    s->syncs = c[16];
    s->max_payment_fen = c[17];
    s->max_unsynced_fen = c[18];
    s->loaded_fen = c[19];
    s->redeemed_fen = c[20];
    s->refused_other = c[21];
}
