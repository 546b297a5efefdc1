/* peer.h: the declared payments economy of docs/benchmark.md
 * (prefix peer_), on ecnysim's engine and ledger.
 *
 * N residents, N div 20 merchants, 6 banks; adoption by innovation and by
 * contacts (p + q k/8), Poisson(2) purchases a day at uniform merchants,
 * lognormal amounts, e-CNY payments through the ledger with threshold
 * top-ups, merchant acceptance driven by the day's adopter-customer share,
 * daily redemption. The model is read from the scenario's [peer] section
 * (residents > 0 selects it) and the seed from [scenario].
 *
 * It draws only what the ledger sees. Non-adopters are counts by k (how many
 * of their contacts adopted), never agents; the contact graph is revealed
 * lazily in distribution; purchases that cannot become e-CNY payments are
 * Poisson counts. See peer.c for what is exact and what is approximate.
 */
#ifndef ECNYSIM_PEER_H
#define ECNYSIM_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/error.h"
#include "sim/ledger.h"
#include "sim/scenario.h"

/* The model's constants; peer_params_read fills them from [peer]. */
typedef struct {
    uint64_t seed;
    uint32_t residents;           /* N */
    int32_t days;                 /* D */
    uint32_t contacts;            /* distinct contacts per resident (8) */
    uint32_t residents_per_merchant; /* M = N div this (20) */
    uint32_t banks;               /* 6 */
    double innovation;            /* p = 0.002 */
    double imitation;             /* q = 0.05 */
    double purchases_per_day;     /* Poisson mean, 2 */
    double amount_log_mean;       /* Normal mean of log(yuan), 4.5 */
    double amount_log_sd;         /* 0.8 */
    int64_t funding_fen;          /* 50,000 at adoption */
    int64_t topup_below_fen;      /* 5,000 threshold */
    int64_t topup_fen;            /* 20,000 */
    double accept_initial;        /* 0.05 */
    double accept_base;           /* 0.01 */
    double accept_share_weight;   /* 0.5 */
    bool per_merchant;            /* tests: always draw merchants one by one */
} peer_params;

/* One CSV row: stocks at the end of the day, flows of the day. */
typedef struct {
    int32_t day; /* 1..D */
    int64_t adopters, accepting_merchants, ecny_payments, ecny_value_fen, cash_app_payments,
        cash_app_value_fen, new_adopters, topups, issued_value_fen, redeemed_value_fen;
} peer_row;

#define PEER_COLUMNS 11
extern const char *const peer_columns[PEER_COLUMNS];

typedef struct peer_model peer_model;

/* residents from [peer] (0: the scenario is not a peer run). */
uint32_t peer_residents(const scn_doc *doc);
/* Reads [peer] and [scenario] seed; false with FILE:LINE errors on a bad mix. */
bool peer_params_read(const scn_doc *doc, peer_params *p, err_list *errs);

/* Builds the model (banks, merchants, ledger). NULL with a message in errs when
 * the parameters are impossible or memory is short. The model owns its ledger. */
peer_model *peer_create(const peer_params *p, err_list *errs);
void peer_free(peer_model *m); /* NULL is fine */

/* Registers the day hooks and the shopping event. False when the engine is
 * out of slots. Run the engine for p->days days. */
bool peer_attach(peer_model *m, eng_engine *eng);

const peer_params *peer_params_of(const peer_model *m);
/* The row of the day just run (valid until the next day). */
const peer_row *peer_last_row(const peer_model *m);
/* Totals over every day run so far (day = days run). */
const peer_row *peer_totals(const peer_model *m);
const led_ledger *peer_ledger(const peer_model *m);
uint32_t peer_merchants(const peer_model *m);

/* led_check plus the benchmark's invariant: issued = resident balances +
 * merchant balances + redeemed. O(adopters + merchants). False with the first
 * violation in why. */
bool peer_check(const peer_model *m, char *why, size_t why_len);

#endif
