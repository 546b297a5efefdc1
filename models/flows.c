/* flows.c: cross-city flows (prefix flw_): travel, remittances, B2B.
 *
 * The rule that makes a run independent of its process layout: what a city
 * sends on day d is drawn from that city's state and from the flow's own
 * sending stream rng_stream_alloc(seed, from id, FLW_PURPOSE + 2 k), at the
 * end of day d; what it receives is credited at the start of day d+1 from the
 * receiving stream (seed, to id, FLW_PURPOSE + 2 k + 1), flows taken by
 * sending city index, then file order. Records cross the day boundary as
 * int64 runs [k, n, amount_1 .. amount_n]: a local copy in one process, an
 * all-to-all between MPI ranks (sim/dist.h). Nothing else crosses.
 *
 * Money: each city in a flow has a clearing account (an LED_BANK of its own,
 * the branch's interbank clearing). Sending: payer -> sending clearing
 * (a payment, under the payer's caps; topped up from deposit when short), and
 * at day end the clearing withdraws what it holds to the central bank.
 * Receiving: the central bank issues to the receiving clearing, which pays
 * the merchant, wallet or firm; when nobody there can take e-CNY (pilot not
 * started, no accepting merchant, no wallet, a refusal) the amount is not
 * issued and counts as deposited. So every rank's ledger balances on its own
 * (every transfer is double entry within it), and money in transit between
 * the withdrawal and the issue is in no ledger: it is the day's sent value
 * of flows.csv.
 *
 * Cost: O(payments sent and received) per day; the outbox grows by doubling
 * (amortised, bounded by the day's payments).
 */
#include "models/flows.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/pay.h"
#include "models/programme.h"
#include "sim/calendar.h"
#include "sim/dist.h"
#include "sim/rng.h"

/* Stream purposes of flows: far above the programmes' RNG_PROGRAMME + index. */
#define FLW_PURPOSE (RNG_PROGRAMME + 65536u)

enum flw_kind { FLW_TRAVEL = 0, FLW_REMITTANCE, FLW_B2B };
/* Median amounts when amount_yuan is not given, fen. */
static const double default_median_fen[] = {35000, 80000, 3000000};

enum { C_SENT, C_SENT_VALUE, C_REFUSED, C_RECEIVED, C_RECEIVED_VALUE, C_DEPOSITED_VALUE, FLW_COLS };
static const char *const flw_columns[FLW_COLS] = {
    "sent", "sent_value_fen", "refused", "received", "received_value_fen", "deposited_value_fen",
};

typedef struct {
    char name[64];
    int from, to;
    enum flw_kind kind;
    int32_t start_day, end_day;
    double p_send;          /* travel, remittance: daily chance per wallet holder */
    double per_firm;        /* b2b: payments per adopted firm per weekday */
    double log_median, sigma;
    gsl_rng *send_rng, *recv_rng; /* only for the ends this process owns */
    int64_t *out;           /* today's amounts sent, fen */
    uint32_t n_out, cap_out;
    int64_t c[FLW_COLS];    /* today's counters, simulated units */
} flw_flow;

struct flw_set {
    int n;
    flw_flow *f;
    int *order;             /* flows by (from city, index): the crediting order */
    led_acct *clearing;     /* per city; LED_NONE when not in a flow or not owned */
    int64_t *inbox;         /* records received at the last boundary */
    int64_t *in_off, *in_n; /* per flow: offset of its amounts in inbox, count */
    int64_t *send;          /* packing buffer */
    size_t cap_send;
    int64_t *send_count, *recv_count; /* per rank */
    const char **row;
    int64_t *values;
};

static bool owns(const wld_world *w, int city)
{
    return w->city[city].owned;
}

flw_set *flw_create(const scn_doc *doc, wld_world *w, uint64_t *accounts, err_list *errs)
{
    int before = errs->count;
    flw_set *s = calloc(1, sizeof *s);
    if (!s) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    s->n = (int)scn_count(doc, "flow");
    s->f = calloc((size_t)s->n + 1, sizeof *s->f);
    s->order = calloc((size_t)s->n + 1, sizeof *s->order);
    s->clearing = malloc(((size_t)w->n_cities + 1) * sizeof *s->clearing);
    s->in_off = calloc((size_t)s->n + 1, sizeof *s->in_off);
    s->in_n = calloc((size_t)s->n + 1, sizeof *s->in_n);
    if (!s->f || !s->order || !s->clearing || !s->in_off || !s->in_n) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        flw_free(s);
        return NULL;
    }
    bool *involved = calloc((size_t)w->n_cities + 1, sizeof *involved);
    if (!involved) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        flw_free(s);
        return NULL;
    }
    char where[600];
    for (int k = 0; k < s->n; k++) {
        const scn_instance *in = scn_nth(doc, "flow", (size_t)k);
        flw_flow *f = &s->f[k];
        snprintf(f->name, sizeof f->name, "%s", scn_name(in));
        f->from = prg_city_of(doc, in, "from", w, errs);
        f->to = prg_city_of(doc, in, "to", w, errs);
        const char *kind = scn_str(in, "kind");
        f->kind = strcmp(kind, "remittance") == 0 ? FLW_REMITTANCE : strcmp(kind, "b2b") == 0 ? FLW_B2B : FLW_TRAVEL;
        f->start_day = scn_has(in, "start") ? scn_date(in, "start") : w->scenario_start_day;
        f->end_day = scn_has(in, "end") ? scn_date(in, "end") : w->start_day + w->n_days - 1;
        if (f->end_day < f->start_day) {
            scn_where(doc, in, "end", where, sizeof where);
            err_add(errs, "%s: 'end' in [flow.%s] is before its 'start': expected end on or after start", where,
                    f->name);
        }
        if (f->from >= 0 && f->from == f->to) {
            scn_where(doc, in, "to", where, sizeof where);
            err_add(errs, "%s: [flow.%s] goes from '%s' to itself: expected two different cities", where, f->name,
                    scn_str(in, "to"));
        }
        if (f->kind == FLW_TRAVEL)
            f->p_send = scn_real(in, "travellers_per_1000") / 1000.0 * scn_real(in, "ecny_pct") / 100.0;
        else if (f->kind == FLW_REMITTANCE)
            f->p_send = scn_real(in, "remittances_per_1000") / 1000.0;
        else
            f->per_firm = scn_real(in, "payments_per_firm");
        if (f->p_send > 1.0) {
            scn_where(doc, in, f->kind == FLW_TRAVEL ? "travellers_per_1000" : "remittances_per_1000", where,
                      sizeof where);
            err_add(errs, "%s: [flow.%s] would send more than one payment per wallet holder a day: expected at most "
                          "1000 per 1000", where, f->name);
        }
        double median = scn_has(in, "amount_yuan") ? (double)scn_fen(in, "amount_yuan") : default_median_fen[f->kind];
        f->log_median = log(median > 1 ? median : 1);
        f->sigma = scn_real(in, "amount_sigma");
        if (f->from >= 0 && f->to >= 0 && f->from != f->to) {
            involved[f->from] = involved[f->to] = true;
        }
    }
    for (int i = 0; i < w->n_cities; i++) {
        s->clearing[i] = LED_NONE;
        if (involved[i] && owns(w, i))
            *accounts += 1;
    }
    /* The crediting order: by sending city index, then file order. */
    int n = 0;
    for (int i = 0; i < w->n_cities; i++)
        for (int k = 0; k < s->n; k++)
            if (s->f[k].from == i)
                s->order[n++] = k;
    free(involved);
    if (errs->count != before) {
        flw_free(s);
        return NULL;
    }
    return s;
}

bool flw_setup(flw_set *s, wld_world *w, snap_frame *frame, err_list *errs)
{
    if (s->n == 0)
        return true;
    int ranks = w->city_rank ? dst_size() : 1;
    s->send_count = calloc((size_t)ranks, sizeof *s->send_count);
    s->recv_count = calloc((size_t)ranks, sizeof *s->recv_count);
    s->row = calloc((size_t)s->n, sizeof *s->row);
    s->values = calloc((size_t)s->n * FLW_COLS, sizeof *s->values);
    if (!s->send_count || !s->recv_count || !s->row || !s->values) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up the flows");
        return false;
    }
    for (int k = 0; k < s->n; k++) {
        flw_flow *f = &s->f[k];
        s->row[k] = f->name;
        const uint32_t purpose = FLW_PURPOSE + 2u * (uint32_t)k;
        for (int end = 0; end < 2; end++) {
            int city = end ? f->to : f->from;
            if (!owns(w, city))
                continue;
            if (s->clearing[city] == LED_NONE) {
                s->clearing[city] = led_open(w->ledger, LED_BANK, 0, LED_NONE, (uint16_t)city);
                if (s->clearing[city] == LED_NONE) {
                    err_add(errs, "the ledger is full opening the clearing account of [city.%s]", w->city[city].name);
                    return false;
                }
                led_set_reserve(w->ledger, s->clearing[city], INT64_C(1) << 56);
            }
            gsl_rng *r = rng_stream_alloc(w->seed, w->city[city].data->id, purpose + (uint32_t)end);
            if (!r) {
                err_add_kind(errs, ERR_MEMORY, "out of memory setting up [flow.%s]", f->name);
                return false;
            }
            *(end ? &f->recv_rng : &f->send_rng) = r;
        }
    }
    if (frame->n_tables >= SNAP_MAX_TABLES) {
        err_add(errs, "too many tables in the frame for flows.csv (SNAP_MAX_TABLES %d)", SNAP_MAX_TABLES);
        return false;
    }
    frame->table[frame->n_tables++] =
        (snap_table){"flows.csv", FLW_COLS, flw_columns, s->values, s->n, s->row, "flow", 0, NULL};
    return true;
}

void flw_free(flw_set *s)
{
    if (!s)
        return;
    for (int k = 0; s->f && k < s->n; k++) {
        gsl_rng_free(s->f[k].send_rng);
        gsl_rng_free(s->f[k].recv_rng);
        free(s->f[k].out);
    }
    free(s->f);
    free(s->order);
    free(s->clearing);
    free(s->inbox);
    free(s->in_off);
    free(s->in_n);
    free(s->send);
    free(s->send_count);
    free(s->recv_count);
    free(s->row);
    free(s->values);
    free(s);
}

int flw_count(const flw_set *s)
{
    return s ? s->n : 0;
}

static int64_t lognormal_fen(gsl_rng *r, const flw_flow *f)
{
    int64_t v = (int64_t)floor(gsl_ran_lognormal(r, f->log_median, f->sigma) + 0.5);
    return v < 1 ? 1 : v;
}

/* ------------------------------------------------------------ receiving */

static led_acct pick_merchant(const wld_world *w, const wld_city *c, gsl_rng *r)
{
    double total = 0;
    for (int k = 0; k < w->data->n_categories; k++)
        if (c->merchants_accepting[k])
            total += w->data->category[k].occasion_share;
    if (total <= 0)
        return LED_NONE;
    double u = rng_uniform(r) * total;
    int cat = -1;
    for (int k = 0; k < w->data->n_categories; k++) {
        if (!c->merchants_accepting[k])
            continue;
        cat = k;
        u -= w->data->category[k].occasion_share;
        if (u < 0)
            break;
    }
    return c->accepting[cat][rng_below(r, c->merchants_accepting[cat])];
}

static led_acct pick_firm(const wld_city *c, gsl_rng *r)
{
    const wld_firms *f = &c->firms;
    uint32_t n = f->adopted[0] + f->adopted[1];
    if (n == 0)
        return LED_NONE;
    uint32_t i = rng_below(r, n);
    return i < f->adopted[0] ? f->wallet[0][i] : f->wallet[1][i - f->adopted[0]];
}

/* Credits one arrived amount in city c (the flow's `to`). */
static void credit(flw_set *s, wld_world *w, flw_flow *f, wld_city *c, int64_t amount, int32_t day)
{
    led_acct clr = s->clearing[c->index], payee = LED_NONE;
    assert(c->owned && clr != LED_NONE); /* routed to the receiving city's rank only */
    assert(amount > 0);
    f->c[C_RECEIVED]++;
    f->c[C_RECEIVED_VALUE] += amount;
    if (day >= c->pilot_start_day) {
        if (f->kind == FLW_TRAVEL)
            payee = pick_merchant(w, c, f->recv_rng);
        else if (f->kind == FLW_REMITTANCE)
            payee = c->n_adopters ? c->wallet[rng_below(f->recv_rng, c->n_adopters)] : LED_NONE;
        else
            payee = pick_firm(c, f->recv_rng);
    }
    if (payee == LED_NONE || led_issue(w->ledger, clr, amount) != LED_OK) {
        f->c[C_DEPOSITED_VALUE] += amount; /* nobody here takes e-CNY: it stays a deposit */
        return;
    }
    /* travellers pay merchants (who redeem their takings this evening),
     * firms pay firms, remittances reach people */
    pay_rule rule = {.topup = PAY_TOPUP_NONE,
                     .flow = f->kind == FLW_TRAVEL ? PAY_RETAIL : f->kind == FLW_B2B ? PAY_B2B : PAY_P2P,
                     .payee = f->kind == FLW_TRAVEL ? PAY_PAYEE_MERCHANT
                              : f->kind == FLW_B2B  ? PAY_PAYEE_FIRM
                                                    : PAY_PAYEE_KEEPS};
    if (pay_transfer(w, c, clr, payee, amount, &rule) != LED_OK) {
        led_withdraw(w->ledger, clr, amount); /* refused (a balance cap): back as a deposit */
        f->c[C_DEPOSITED_VALUE] += amount;
        return;
    }
    c->circulation_fen += amount;
}

void flw_day_start(flw_set *s, wld_world *w, int32_t day)
{
    if (!s || s->n == 0)
        return;
    for (int k = 0; k < s->n; k++)
        memset(s->f[k].c, 0, sizeof s->f[k].c);
    for (int i = 0; i < s->n; i++) {
        int k = s->order[i];
        flw_flow *f = &s->f[k];
        if (s->in_n[k] == 0)
            continue;
        /* Records are routed to the receiving city's rank only. */
        if (!owns(w, f->to) || !f->recv_rng) {
            s->in_n[k] = 0;
            continue;
        }
        const int64_t *a = s->inbox + s->in_off[k];
        for (int64_t j = 0; j < s->in_n[k]; j++)
            credit(s, w, f, &w->city[f->to], a[j], day);
        s->in_n[k] = 0;
    }
}

/* -------------------------------------------------------------- sending */

/* payer -> the sending city's clearing; tops up from deposit when short.
 * Returns 1 when sent, 0 when refused (caps), -1 when memory is short. */
static int send_one(flw_set *s, wld_world *w, flw_flow *f, wld_city *c, led_acct payer, int64_t amount,
                     int64_t topup_min)
{
    assert(c->owned && s->clearing[c->index] != LED_NONE);
    assert(amount > 0);
    /* counted where it arrives (credit) */
    pay_rule rule = {.topup = PAY_TOPUP_BEFORE, .floor_fen = topup_min, .flow = PAY_UNCOUNTED};
    if (pay_transfer(w, c, payer, s->clearing[c->index], amount, &rule) != LED_OK) {
        f->c[C_REFUSED]++;
        return 0;
    }
    if (f->n_out == f->cap_out) {
        uint32_t cap = f->cap_out ? 2 * f->cap_out : 64;
        int64_t *grown = cap > f->cap_out ? realloc(f->out, (size_t)cap * sizeof *grown) : NULL;
        if (!grown)
            return -1;
        f->out = grown;
        f->cap_out = cap;
    }
    f->out[f->n_out++] = amount;
    f->c[C_SENT]++;
    f->c[C_SENT_VALUE] += amount;
    return 1;
}

static bool send_flow(flw_set *s, wld_world *w, flw_flow *f, int32_t day)
{
    wld_city *c = &w->city[f->from];
    gsl_rng *r = f->send_rng;
    if (day < f->start_day || day > f->end_day || day < c->pilot_start_day)
        return true;
    if (f->kind == FLW_B2B) {
        wld_firms *firms = &c->firms;
        uint32_t adopted = firms->adopted[0] + firms->adopted[1];
        if (cal_weekday(day) >= 5 || adopted == 0 || f->per_firm <= 0)
            return true;
        unsigned n = gsl_ran_poisson(r, (double)adopted * f->per_firm);
        for (unsigned j = 0; j < n; j++) {
            led_acct payer = pick_firm(c, r);
            int64_t amount = lognormal_fen(r, f);
            if (send_one(s, w, f, c, payer, amount, 0) < 0)
                return false;
        }
        return true;
    }
    if (c->n_adopters == 0 || f->p_send <= 0)
        return true;
    unsigned n = gsl_ran_binomial(r, f->p_send, c->n_adopters);
    for (unsigned j = 0; j < n; j++) {
        uint32_t a = rng_below(r, c->n_adopters);
        int64_t amount = lognormal_fen(r, f);
        int sent = send_one(s, w, f, c, c->wallet[a], amount, w->p.topup_fen);
        if (sent < 0)
            return false;
        if (sent)
            res_mark_active(c, a, day);
    }
    return true;
}

/* Copies the records into the inbox (one process) or exchanges them. */
static bool exchange(flw_set *s, wld_world *w, char *why, size_t why_len)
{
    int ranks = w->city_rank ? dst_size() : 1;
    size_t need = 0;
    for (int k = 0; k < s->n; k++)
        if (owns(w, s->f[k].from))
            need += 2 + (size_t)s->f[k].n_out;
    if (need > s->cap_send) {
        size_t cap = need > 2 * s->cap_send ? need : 2 * s->cap_send;
        int64_t *grown = realloc(s->send, cap * sizeof *grown);
        if (!grown) {
            snprintf(why, why_len, "out of memory packing the flows of a day (%zu values)", need);
            return false;
        }
        s->send = grown;
        s->cap_send = cap;
    }
    size_t pos = 0;
    for (int r = 0; r < ranks; r++) {
        size_t first = pos;
        for (int k = 0; k < s->n; k++) {
            flw_flow *f = &s->f[k];
            int dest = w->city_rank ? w->city_rank[f->to] : 0;
            if (!owns(w, f->from) || dest != r || f->n_out == 0)
                continue;
            s->send[pos++] = k;
            s->send[pos++] = f->n_out;
            memcpy(s->send + pos, f->out, (size_t)f->n_out * sizeof *f->out);
            pos += f->n_out;
        }
        s->send_count[r] = (int64_t)(pos - first);
    }
    assert(pos <= need);
    for (int k = 0; k < s->n; k++)
        s->f[k].n_out = 0;
    free(s->inbox);
    s->inbox = NULL;
    bool ok;
    if (w->city_rank) {
        ok = dst_alltoallv_i64(s->send, s->send_count, &s->inbox, s->recv_count);
    } else {
        s->inbox = malloc((pos ? pos : 1) * sizeof *s->inbox);
        ok = s->inbox != NULL;
        if (ok && pos)
            memcpy(s->inbox, s->send, pos * sizeof *s->send);
        s->recv_count[0] = (int64_t)pos;
    }
    if (!ok) {
        snprintf(why, why_len, "the exchange of the day's flows failed (memory or MPI)");
        return false;
    }
    int64_t total = 0;
    for (int r = 0; r < ranks; r++)
        total += s->recv_count[r];
    for (int64_t p = 0; p + 2 <= total;) {
        int64_t k = s->inbox[p], n = s->inbox[p + 1];
        if (k < 0 || k >= s->n || n < 0 || p + 2 + n > total) {
            snprintf(why, why_len, "a malformed flow record arrived (flow %lld, %lld values)", (long long)k,
                     (long long)n);
            return false;
        }
        s->in_off[k] = p + 2;
        s->in_n[k] = n;
        p += 2 + n;
    }
    return true;
}

bool flw_day_end(flw_set *s, wld_world *w, int32_t day, char *why, size_t why_len)
{
    if (!s || s->n == 0)
        return true;
    for (int k = 0; k < s->n; k++) {
        flw_flow *f = &s->f[k];
        if (owns(w, f->from) && f->send_rng && !send_flow(s, w, f, day)) {
            snprintf(why, why_len, "out of memory recording the payments of [flow.%s]", f->name);
            return false;
        }
    }
    /* Settle: what the clearing accounts took in leaves with the day. */
    for (int i = 0; i < w->n_cities; i++) {
        led_acct clr = s->clearing[i];
        int64_t balance = clr == LED_NONE ? 0 : led_balance(w->ledger, clr);
        if (balance > 0 && led_withdraw(w->ledger, clr, balance) == LED_OK)
            w->city[i].circulation_fen -= balance;
    }
    return exchange(s, w, why, why_len);
}

void flw_publish(flw_set *s, wld_world *w)
{
    if (!s || s->n == 0)
        return;
    for (int k = 0; k < s->n; k++)
        for (int j = 0; j < FLW_COLS; j++)
            s->values[(size_t)k * FLW_COLS + j] = s->f[k].c[j] * w->scale;
}
