/* loans.c: SME loans disbursed and repaid in e-CNY ([loans.NAME], prefix loan_).
 *
 * The Suzhou design (ecny_facts.md 3.3 and 6: 18.7 billion yuan of e-CNY
 * loans in 2022, a 200 billion yuan SME target for 2023): a lender disburses
 * `count` loans totalling about target_yuan, evenly over [start, end], each
 * to a small or medium firm's public (corporate) e-CNY wallet; sizes are
 * lognormal with mean target / count; a share small_micro_pct goes to small
 * and micro firms. Loans are repaid in e-CNY in equal monthly instalments of
 * principal plus interest on the outstanding balance, the firm converting
 * deposit when its wallet is short; the lender converts what it receives
 * back to deposit each evening. The programme's cost is the share of
 * interest the government subsidises.
 *
 * Invariant: disbursed = repaid + outstanding principal. Cost: O(loans) per
 * day for the instalment check (a few thousand at scale 100).
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "models/programme.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end;
    int64_t target_fen, count_real;
    double sigma, small_share, rate_monthly, subsidy;
    int term_months;
    /* run */
    led_acct lender;
    uint32_t n, next;
    led_acct *firm;
    int64_t *principal, *outstanding;
    int32_t *disbursed_day;
    uint8_t *small, *paid_months;
    int64_t disbursed_fen, disbursed_n, small_n, small_fen, repaid_fen, interest_fen;
} loan_state;

static bool loan_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    loan_state *s = prg_state_alloc(p, sizeof *s, errs);
    if (!s || !prg_read_window(p, doc, &s->start, &s->end, errs))
        return false;
    s->target_fen = scn_fen(in, "target_yuan");
    s->count_real = scn_int(in, "count");
    s->sigma = scn_real(in, "size_sigma");
    s->small_share = scn_real(in, "small_micro_pct") / 100.0;
    s->term_months = (int)scn_int(in, "term_months");
    s->rate_monthly = scn_real(in, "interest_pct") / 100.0 / 12.0;
    s->subsidy = scn_real(in, "subsidy_pct") / 100.0;
    s->n = (uint32_t)((s->count_real + w->scale / 2) / w->scale);
    if (s->n == 0)
        s->n = 1;
    *accounts += s->n + 1;
    return true;
}

static bool loan_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    loan_state *s = p->state;
    wld_city *c = &w->city[p->city];
    s->firm = calloc(s->n, sizeof *s->firm);
    s->principal = calloc(s->n, sizeof *s->principal);
    s->outstanding = calloc(s->n, sizeof *s->outstanding);
    s->disbursed_day = calloc(s->n, sizeof *s->disbursed_day);
    s->small = calloc(s->n, 1);
    s->paid_months = calloc(s->n, 1);
    if (!s->firm || !s->principal || !s->outstanding || !s->disbursed_day || !s->small || !s->paid_months) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [loans.%s]", p->name);
        return false;
    }
    int bank = (int)rng_below(p->rng, (uint32_t)w->data->n_banks);
    while (bank > 0 && w->data->bank[bank].joined_day > s->start)
        bank--;
    s->lender = led_open(w->ledger, LED_PUBLIC_WALLET, 0, c->bank_acct[bank], (uint16_t)c->index);
    /* Real mean loan = target / count; a simulated loan stands for one. */
    double mean = (double)s->target_fen / (double)s->count_real;
    double median = mean * exp(-s->sigma * s->sigma / 2), sum = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        int b = (int)rng_below(p->rng, (uint32_t)w->data->n_banks);
        while (b > 0 && w->data->bank[b].joined_day > s->start)
            b--;
        s->firm[i] = led_open(w->ledger, LED_PUBLIC_WALLET, 0, c->bank_acct[b], (uint16_t)c->index);
        s->small[i] = rng_uniform(p->rng) < s->small_share;
        double size = gsl_ran_lognormal(p->rng, log(median), s->sigma);
        s->principal[i] = (int64_t)fmin(fmax(100.0, floor(size + 0.5)), 1e14);
        sum += (double)s->principal[i];
        if (s->firm[i] == LED_NONE) {
            err_add(errs, "the ledger is full setting up [loans.%s]", p->name);
            return false;
        }
    }
    /* The programme lends its target: scale the drawn sizes so the simulated
     * loans add up to target / scale (their spread is kept). */
    double want = (double)s->target_fen / (double)w->scale, f = sum > 0 ? want / sum : 1.0;
    int64_t total = 0;
    uint32_t largest = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        s->principal[i] = (int64_t)fmax(100.0, floor((double)s->principal[i] * f + 0.5));
        total += s->principal[i];
        if (s->principal[i] > s->principal[largest])
            largest = i;
    }
    /* Rounding each loan to the fen must not miss the target: the largest
     * loan takes the difference (a few fen). */
    int64_t gap = (int64_t)floor(want + 0.5) - total;
    if (s->n > 0 && s->principal[largest] + gap >= 100)
        s->principal[largest] += gap;
    return s->lender != LED_NONE;
}

static void disburse(prg_programme *p, wld_world *w, uint32_t i, int32_t day)
{
    loan_state *s = p->state;
    wld_city *c = &w->city[p->city];
    int64_t amount = s->principal[i];
    /* the lender converts the loan from deposit, and back if the firm cannot take it */
    pay_rule rule = {.topup = PAY_TOPUP_WHOLE, .flow = PAY_LOANS};
    if (pay_transfer(w, c, s->lender, s->firm[i], amount, &rule) != LED_OK)
        return;
    s->outstanding[i] = amount;
    s->disbursed_day[i] = day;
    s->disbursed_fen += amount;
    s->disbursed_n++;
    if (s->small[i]) {
        s->small_n++;
        s->small_fen += amount;
    }
}

static void repay(prg_programme *p, wld_world *w, uint32_t i)
{
    loan_state *s = p->state;
    wld_city *c = &w->city[p->city];
    int months_left = s->term_months - s->paid_months[i];
    int64_t principal = months_left <= 1 ? s->outstanding[i] : s->principal[i] / s->term_months;
    if (principal > s->outstanding[i])
        principal = s->outstanding[i];
    int64_t interest = llround((double)s->outstanding[i] * s->rate_monthly);
    int64_t due = principal + interest;
    /* the firm converts what it lacks first, or misses the instalment */
    pay_rule rule = {.topup = PAY_TOPUP_BEFORE, .must_fund = true, .flow = PAY_LOANS};
    if (due <= 0 || pay_transfer(w, c, s->firm[i], s->lender, due, &rule) != LED_OK)
        return;
    s->outstanding[i] -= principal;
    s->paid_months[i]++;
    s->repaid_fen += principal;
    s->interest_fen += interest;
    p->cost_fen += llround((double)interest * s->subsidy);
}

static void loan_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    loan_state *s = p->state;
    (void)eng;
    (void)day_index;
    if (day >= s->start) {
        int64_t span = (int64_t)s->end - s->start + 1;
        int64_t elapsed = (int64_t)(day < s->end ? day : s->end) - s->start + 1;
        uint32_t due = (uint32_t)((int64_t)s->n * elapsed / span);
        while (s->next < due && s->next < s->n)
            disburse(p, w, s->next++, day);
    }
    for (uint32_t i = 0; i < s->next; i++)
        if (s->outstanding[i] > 0 && day > s->disbursed_day[i] && (day - s->disbursed_day[i]) % 30 == 0)
            repay(p, w, i);
}

static void loan_day_end(prg_programme *p, wld_world *w, int32_t day)
{
    loan_state *s = p->state;
    (void)day;
    int64_t b = led_balance(w->ledger, s->lender);
    if (b > 0)
        pay_redeem(w, &w->city[p->city], s->lender, b);
}

int64_t loan_disbursed_fen(const prg_programme *p) { return ((const loan_state *)p->state)->disbursed_fen; }
int64_t loan_disbursed_n(const prg_programme *p) { return ((const loan_state *)p->state)->disbursed_n; }

static void loan_report(prg_programme *p, wld_world *w)
{
    loan_state *s = p->state;
    double k = (double)w->scale;
    prg_out(p, "target", "yuan", (double)s->target_fen / 100.0);
    prg_out(p, "loans", "loans", (double)s->disbursed_n * k);
    prg_out(p, "loans_small_micro", "loans", (double)s->small_n * k);
    prg_out(p, "disbursed", "yuan", (double)s->disbursed_fen * k / 100.0);
    prg_out(p, "disbursed_small_micro_pct", "%",
            s->disbursed_fen ? 100.0 * (double)s->small_fen / (double)s->disbursed_fen : 0);
    prg_out(p, "target_attainment", "%",
            s->target_fen ? 100.0 * (double)s->disbursed_fen * k / (double)s->target_fen : 0);
    prg_out(p, "repaid", "yuan", (double)s->repaid_fen * k / 100.0);
    prg_out(p, "interest_paid", "yuan", (double)s->interest_fen * k / 100.0);
    prg_out(p, "outstanding", "yuan", (double)(s->disbursed_fen - s->repaid_fen) * k / 100.0);
    prg_out(p, "interest_subsidy", "yuan", (double)p->cost_fen * k / 100.0);
}

static void loan_destroy(prg_programme *p)
{
    loan_state *s = p->state;
    if (!s)
        return;
    free(s->firm);
    free(s->principal);
    free(s->outstanding);
    free(s->disbursed_day);
    free(s->small);
    free(s->paid_months);
    free(s);
    p->state = NULL;
}

const prg_ops loan_ops = {"loans", loan_create, loan_setup, loan_day_start, NULL, loan_day_end, loan_report, loan_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void loan_save(const prg_programme *p, ckp_writer *ck)
{
    const loan_state *s = p->state;
    ckp_put_tag(ck, CKP_TAG('L', 'O', 'A', 'N'));
    ckp_put_u32(ck, s->lender);
    ckp_put_u32(ck, s->next);
    ckp_put_array(ck, s->firm, sizeof *s->firm, s->n);
    ckp_put_array(ck, s->principal, sizeof *s->principal, s->n);
    ckp_put_array(ck, s->outstanding, sizeof *s->outstanding, s->n);
    ckp_put_array(ck, s->disbursed_day, sizeof *s->disbursed_day, s->n);
    ckp_put_array(ck, s->small, sizeof *s->small, s->n);
    ckp_put_array(ck, s->paid_months, sizeof *s->paid_months, s->n);
    int64_t c[] = {s->disbursed_fen, s->disbursed_n, s->small_n, s->small_fen, s->repaid_fen, s->interest_fen};
    ckp_put(ck, c, sizeof c);
}

void loan_load(prg_programme *p, ckp_reader *ck)
{
    loan_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('L', 'O', 'A', 'N'), "loans"))
        return;
    s->lender = ckp_get_u32(ck);
    s->next = ckp_get_u32(ck);
    bool ok = ckp_get_array(ck, s->firm, sizeof *s->firm, s->n, "loans") == s->n;
    ok = ckp_get_array(ck, s->principal, sizeof *s->principal, s->n, "loans") == s->n && ok;
    ok = ckp_get_array(ck, s->outstanding, sizeof *s->outstanding, s->n, "loans") == s->n && ok;
    ok = ckp_get_array(ck, s->disbursed_day, sizeof *s->disbursed_day, s->n, "loans") == s->n && ok;
    ok = ckp_get_array(ck, s->small, sizeof *s->small, s->n, "loans") == s->n && ok;
    ok = ckp_get_array(ck, s->paid_months, sizeof *s->paid_months, s->n, "loans") == s->n && ok;
    if ((!ok || s->next > s->n) && !ckp_read_failed(ck))
        ckp_fail(ck, "[loans.%s]: the number of loans cannot change when resuming", p->name);
    int64_t c[6];
    ckp_get(ck, c, sizeof c);
    s->disbursed_fen = c[0];
    s->disbursed_n = c[1];
    s->small_n = c[2];
    s->small_fen = c[3];
    s->repaid_fen = c[4];
    s->interest_fen = c[5];
}
