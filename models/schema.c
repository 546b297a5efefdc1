/* schema.c: every scenario section and key ecnysim understands.
 *
 * This table is the single source of truth: the loader checks scenarios
 * against it, `ecnysim describe` prints it, docs/scenario-reference.md is
 * generated from it and the manifest lists every key it declares with its
 * resolved value. Behavioural defaults come from the published figures in
 * shared/reference (see docs/calibration.md for which figure set which key).
 * Ranges are inclusive; money is in yuan (at most 2 decimals), held as fen.
 */
#include "models/schema.h"

#include <stddef.h>

#define N_KEYS(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 1e15
/* Day numbers of 2019-01-01 and 2035-12-31: the range a scenario may cover. */
#define DATE_MIN 17897
#define DATE_MAX 24106

static const scn_key scenario_keys[] = {
    {"name", SCN_STRING, "", 0, 0, "", "results folder name under results_dir (default: the file name without .ini)", NULL},
    {"start", SCN_DATE, "2020-04-01", DATE_MIN, DATE_MAX, "date", "first simulated day", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last simulated day, inclusive (give end or days, not both)", NULL},
    {"days", SCN_INT, "90", 1, 7305, "days", "number of simulated days when end is not given", NULL},
    {"seed", SCN_INT, "1", 0, 9.2e18, "", "base seed: every random stream is derived from it, the city and the purpose", NULL},
    {"scale", SCN_INT, "100", 1, 1000000, "people/agent", "one simulated resident stands for this many people (1 = full 1:1 scale)", NULL},
    {"data_dir", SCN_STRING, "data", 0, 0, "", "folder with cities.csv, banks.csv and merchant_categories.csv", NULL},
    {"results_dir", SCN_STRING, "results", 0, 0, "", "folder that receives the results folder", NULL},
    {"check_ledger", SCN_BOOL, "true", 0, 0, "", "check the ledger's conservation invariants at the end of every simulated day", NULL},
    {"memory_limit_gib", SCN_REAL, "20", 0.1, 4096, "GiB", "refuse to start a run whose agents and accounts would need more memory than this", NULL},
};

static const scn_key city_keys[] = {
    {"area", SCN_STRING, "", 0, 0, "", "row of data/cities.csv (column 'area'); default: the section's NAME", NULL},
    {"pilot_start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "date e-CNY becomes available here (default: the area's pilot_start in the data)", NULL},
    {"population", SCN_INT, "0", 0, 2e9, "people", "resident population (0: the 2020 census figure in the data)", NULL},
    {"urban_pct", SCN_REAL, "-1", -1, 100, "%", "share of urban residents (-1: from the data)", NULL},
    {"promotion", SCN_REAL, "1", 0, 100, "x", "multiplier on the awareness campaign in this city (local publicity, bank marketing)", NULL},
};

static const scn_key wallet_class_keys[] = {
    {"balance_cap_yuan", SCN_MONEY, "", 0, BIG, "yuan", "most a wallet of this class may hold (0: no cap; default: the published schedule)", NULL},
    {"per_payment_yuan", SCN_MONEY, "", 0, BIG, "yuan", "largest single payment (0: no cap; default: published)", NULL},
    {"daily_yuan", SCN_MONEY, "", 0, BIG, "yuan", "most paid out per day (0: no cap; default: published)", NULL},
    {"annual_yuan", SCN_MONEY, "", 0, BIG, "yuan", "most paid out per year (0: no cap; default: published)", NULL},
};

static const scn_key adoption_keys[] = {
    {"awareness_promo", SCN_REAL, "0.0015", 0, 1, "1/day", "chance per day that an unaware resident hears of e-CNY from publicity, once the pilot runs", NULL},
    {"awareness_wom", SCN_REAL, "0.06", 0, 10, "1/day", "word of mouth: extra daily awareness chance per unit share of adopters among residents", NULL},
    {"download_rate", SCN_REAL, "0.004", 0, 1, "1/day", "chance per day that an aware resident with a smartphone downloads a wallet app", NULL},
    {"download_wom", SCN_REAL, "0.05", 0, 10, "1/day", "extra daily download chance per unit share of adopters (contacts already using it)", NULL},
    {"open_rate", SCN_REAL, "0.05", 0, 1, "1/day", "chance per day that a resident who downloaded the app opens (activates) a wallet", NULL},
    {"hard_wallet_rate", SCN_REAL, "0.0005", 0, 1, "1/day", "chance per day that an aware resident without a smartphone gets a hard wallet", NULL},
    {"extra_wallet_rate", SCN_REAL, "0.004", 0, 1, "1/day", "chance per day that an adopter opens a wallet at one more operating bank (the banks' horse race)", NULL},
    {"visitor_wallet_pct", SCN_REAL, "10", 0, 1000, "%", "wallets opened by visitors and commuters, as a share of residents' wallets", NULL},
    {"engaged_pct", SCN_REAL, "35", 0, 100, "%", "share of new adopters who use e-CNY for everyday purchases (the rest mostly hold it for subsidies)", NULL},
    {"dormancy_rate", SCN_REAL, "0.002", 0, 1, "1/day", "chance per day that an engaged adopter stops using e-CNY for everyday purchases", NULL},
    {"elderly_smartphone_pct", SCN_REAL, "27.3", 0, 100, "%", "share of residents aged 60+ with a smartphone (PBOC survey 2020: 27.3 % can use online services)", NULL},
    {"class1_pct", SCN_REAL, "2", 0, 100, "%", "share of new soft wallets opened at class 1 (in person at a bank counter)", NULL},
    {"class2_pct", SCN_REAL, "18", 0, 100, "%", "share opened at class 2 (linked to a bank account)", NULL},
    {"class3_pct", SCN_REAL, "20", 0, 100, "%", "share opened at class 3 (ID number); the rest are class 4 (phone number only)", NULL},
    {"first_topup_yuan", SCN_MONEY, "200", 0, 1e6, "yuan", "amount converted from deposit when a wallet is opened", NULL},
};

static const scn_key payments_keys[] = {
    {"occasions_per_day", SCN_REAL, "1.9", 0, 50, "1/day", "purchase occasions per resident per day (non-bank payments ~1.94/person/day)", NULL},
    {"ecny_choice", SCN_REAL, "0.05", 0, 1, "", "chance an adopter pays with e-CNY at a merchant that accepts it", NULL},
    {"app_pct", SCN_REAL, "86", 0, 100, "%", "share of non-e-CNY purchases of smartphone users paid by third-party app (the rest cash)", NULL},
    {"weekend_factor", SCN_REAL, "1.15", 0, 5, "x", "purchase occasions on Saturday and Sunday relative to weekdays", NULL},
    {"topup_yuan", SCN_MONEY, "500", 0.01, 1e6, "yuan", "amount a resident converts when the wallet is short for a payment", NULL},
    {"active_window_days", SCN_INT, "30", 1, 365, "days", "a wallet counts as active if it paid within this many days", NULL},
};

static const scn_key merchants_keys[] = {
    {"per_1000_residents", SCN_REAL, "110", 1, 1000, "merchants", "market entities per 1000 residents (national ~0.11 per resident, Shenzhen ~0.23)", NULL},
    {"accept_base", SCN_REAL, "0.003", 0, 1, "1/day", "daily chance a merchant starts accepting e-CNY from bank marketing alone", NULL},
    {"app_fee_pct", SCN_REAL, "0.6", 0, 5, "%", "third-party payment fee merchants save on e-CNY (WeChat ~0.6 %, Alipay ~0.55 %)", NULL},
    {"fee_weight", SCN_REAL, "0.002", 0, 1, "1/day per %", "extra daily acceptance chance per percentage point of fee saved", NULL},
    {"demand_weight", SCN_REAL, "0.05", 0, 100, "1/day", "extra daily acceptance chance per unit share of customers who hold e-CNY", NULL},
    {"must_accept", SCN_BOOL, "false", 0, 0, "", "merchants may not refuse e-CNY (the pilot guidance): all accept from the pilot start", NULL},
};

static const scn_key firms_keys[] = {
    {"per_1000_residents", SCN_REAL, "110", 0, 1000, "firms", "market entities (firms and individual businesses) per 1000 residents", NULL},
    {"large_pct", SCN_REAL, "1", 0, 100, "%", "share of large firms; they pay suppliers large_factor times as often, 5x larger tickets", NULL},
    {"large_factor", SCN_REAL, "20", 1, 1000, "x", "how many times more often a large firm pays suppliers than an SME", NULL},
    {"adopt_base", SCN_REAL, "0.002", 0, 1, "1/day", "daily chance a firm opens a public (corporate) e-CNY wallet from bank marketing", NULL},
    {"adopt_peer", SCN_REAL, "0.01", 0, 10, "1/day", "extra daily chance per unit share of firms already holding one (trading partners)", NULL},
    {"b2b_per_day", SCN_REAL, "0.05", 0, 100, "1/day", "e-CNY supplier payments per adopted SME per weekday", NULL},
    {"b2b_ticket_median_yuan", SCN_MONEY, "8000", 1, 1e9, "yuan", "median SME supplier payment (lognormal)", NULL},
    {"b2b_ticket_sigma", SCN_REAL, "1.2", 0, 4, "", "spread (sigma of the log) of supplier payments", NULL},
    {"tax_ecny_pct", SCN_REAL, "5", 0, 100, "%", "share of adopted firms paying their monthly tax in e-CNY (on the 15th)", NULL},
    {"tax_median_yuan", SCN_MONEY, "5000", 1, 1e9, "yuan", "median monthly tax payment of a firm", NULL},
};

static const scn_key government_keys[] = {
    {"start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "first day fiscal payments are made in e-CNY (default: the city's pilot start)", NULL},
    {"spending_per_capita_yuan", SCN_MONEY, "15000", 0, 1e7, "yuan/year", "fiscal spending per resident per year (Suzhou 2021: ~19,600)", NULL},
    {"ecny_pct", SCN_REAL, "2", 0, 100, "%", "share of fiscal spending paid in e-CNY", NULL},
    {"g2p_pct", SCN_REAL, "30", 0, 100, "%", "share of e-CNY fiscal spending paid to residents (social security, subsidies); the rest to firms", NULL},
    {"g2b_median_yuan", SCN_MONEY, "20000", 1, 1e9, "yuan", "median payment to a firm (procurement, subsidies)", NULL},
    {"g2p_median_yuan", SCN_MONEY, "300", 0.01, 1e7, "yuan", "median payment to a resident", NULL},
};

static const scn_section sections[] = {
    {"scenario", false, true, "The run: dates, seed, scale, folders.", scenario_keys, N_KEYS(scenario_keys)},
    {"city", true, true, "A pilot city (or province) to simulate; NAME is its area in data/cities.csv unless area is given.", city_keys, N_KEYS(city_keys)},
    {"wallet_class", true, false, "Limits of a personal wallet class; NAME is 1, 2, 3 or 4 (4 = anonymous).", wallet_class_keys, N_KEYS(wallet_class_keys)},
    {"adoption", false, false, "How residents hear of e-CNY and open wallets.", adoption_keys, N_KEYS(adoption_keys)},
    {"payments", false, false, "How residents pay: occasions, choice of method, top-ups.", payments_keys, N_KEYS(payments_keys)},
    {"merchants", false, false, "Merchant numbers and acceptance of e-CNY.", merchants_keys, N_KEYS(merchants_keys)},
    {"firms", false, false, "Firms' corporate wallets, supplier (B2B) payments and taxes.", firms_keys, N_KEYS(firms_keys)},
    {"government", false, false, "The city governments' fiscal payments in e-CNY.", government_keys, N_KEYS(government_keys)},
};

const scn_schema ecny_schema = {sections, N_KEYS(sections)};
