/* schema.c: every scenario section and key ecnysim understands.
 *
 * This table is the single source of truth: the loader checks scenarios
 * against it, `ecnysim describe` prints it, docs/scenario-reference.md is
 * generated from it and the manifest lists every key it declares with its
 * resolved value. Behavioural defaults come from the published figures in
 * data/sources.md (see docs/calibration.md for which figure set which key).
 * Ranges are inclusive; money is in yuan (at most 2 decimals), held as fen.
 */
#include "models/schema.h"

#include "models/calibrated.h"

#include <stddef.h>

#define N_KEYS(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 1e15
/* Day numbers of 2019-01-01 and 2035-12-31: the range a scenario may cover. */
#define DATE_MIN 17897
#define DATE_MAX 24105

static const scn_key scenario_keys[] = {
    {"name", SCN_STRING, "", 0, 0, "", "results folder name under results_dir (default: the file name without .ini)", NULL},
    {"start", SCN_DATE, "2020-04-01", DATE_MIN, DATE_MAX, "date", "first simulated day", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last simulated day, inclusive (give end or days, not both)", NULL},
    {"days", SCN_INT, "90", 1, 7305, "days", "number of simulated days when end is not given", NULL},
    {"seed", SCN_INT, "1", 0, 9.2e18, "", "base seed: every random stream is derived from it, the city and the purpose", NULL},
    {"scale", SCN_INT, "100", 1, 1000000, "people/agent", "one simulated resident stands for this many people (1 = full 1:1 scale); the defaults are calibrated at 500 (finer scales give a young pilot's first weeks ~15-20 % more transactions: docs/calibration.md, Scale)", NULL},
    {"data_dir", SCN_STRING, "data", 0, 0, "", "folder with cities.csv, banks.csv and merchant_categories.csv", NULL},
    {"results_dir", SCN_STRING, "results", 0, 0, "", "folder that receives the results folder", NULL},
    {"check_ledger", SCN_CHOICE, "true", 0, 0, "", "ledger invariants at the end of every day: true = running sums (O(1)) and a rotating 1/64 of the accounts, full = every account, false = none; every account at the end of the run in all three", "true|false|full"},
    {"memory_limit_gib", SCN_REAL, "20", 0.1, 4096, "GiB", "refuse to start a run whose agents and accounts would need more memory than this", NULL},
    {"history", SCN_BOOL, "true", 0, 0, "", "simulate every city from its pilot start (its pilot history, without the scenario's programmes and flows) before 'start', so a programme meets the city as it was then; false = the city starts empty on 'start' (ablations, speed benchmarks)", NULL},
    {"write_history", SCN_BOOL, "false", 0, 0, "", "also write the history's daily rows: the run then starts on the earliest pilot start (programmes and flows set up from it); false = outputs begin at 'start'", NULL},
    {"history_cache", SCN_STRING, "", 0, 0, "", "folder keeping the state at the end of the pilot history, one file per hash of everything that determines it (version, data, cities, behaviour keys, seed, scale, dates, ledger size), reused by every run, replication or sweep point that shares it; results are byte-identical with and without it; empty = no cache", NULL},
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
    {"awareness_promo", SCN_REAL, CAL_ADOPTION_AWARENESS_PROMO, 0, 1, "1/day", "chance per day that an unaware resident hears of e-CNY from publicity, once the pilot runs", NULL},
    {"awareness_wom", SCN_REAL, CAL_ADOPTION_AWARENESS_WOM, 0, 10, "1/day", "word of mouth: extra daily awareness chance per unit share of adopters among residents", NULL},
    {"whitelist_start_pct", SCN_REAL, CAL_ADOPTION_WHITELIST_START_PCT, 0, 100, "%", "share of pilot-area residents (and firms) allowed to open wallets on whitelist_from (invitation-only first phase)", NULL},
    {"invite_aware_rate", SCN_REAL, CAL_ADOPTION_INVITE_AWARE_RATE, 0, 1, "1/day", "before the public app, extra daily chance that an invited resident hears of e-CNY (operators told the customers they invited)", NULL},
    {"whitelist_from", SCN_DATE, "2020-04-01", DATE_MIN, DATE_MAX, "date", "day the invitations began in every pilot area (the first pilot scenario, April 2020)", NULL},
    {"whitelist_days", SCN_INT, CAL_ADOPTION_WHITELIST_DAYS, 1, 3650, "days", "days over which the invited share grows geometrically to everyone, the same share in every pilot area on a date", NULL},
    {"province_rollout_days", SCN_REAL, CAL_ADOPTION_PROVINCE_ROLLOUT_DAYS, 0, 3000, "days", "days a province-wide extension of the pilot (a batch-4 province: Guangdong, Jiangsu, Hebei, Sichuan outside their earlier pilot cities, data/cities.csv kind) takes to reach all its cities, linearly from its pilot start: residents anywhere may open a wallet (the national app), but a new adopter takes it up for everyday purchases (is engaged) only with chance x the share reached, so wallets are opened and held where the local pilot has not arrived (Changzhou 2023); firms and the government are not gated; local roll-out ran through 2023 (data/sources.md); fitted; 0: all at once", NULL},
    {"public_app_date", SCN_DATE, "2022-01-04", DATE_MIN, DATE_MAX, "date", "public launch of the e-CNY app: from this date every resident of a pilot city may open a wallet", NULL},
    {"download_rate", SCN_REAL, CAL_ADOPTION_DOWNLOAD_RATE, 0, 1, "1/day", "chance per day that an aware resident with a smartphone downloads a wallet app", NULL},
    {"download_wom", SCN_REAL, CAL_ADOPTION_DOWNLOAD_WOM, 0, 10, "1/day", "extra daily download chance per unit share of adopters (contacts already using it)", NULL},
    {"open_rate", SCN_REAL, "0.19", 0, 1, "1/day", "chance per day that a resident who downloaded the app opens (activates) a wallet", NULL},
    {"hard_wallet_rate", SCN_REAL, "0.0005", 0, 1, "1/day", "chance per day that an aware resident without a smartphone gets a hard wallet", NULL},
    {"extra_wallet_rate", SCN_REAL, CAL_ADOPTION_EXTRA_WALLET_RATE, 0, 1, "1/day", "chance per day that an adopter opens a wallet at one more operating bank (the banks' horse race)", NULL},
    {"extra_wallets_max", SCN_INT, "3", 0, 20, "wallets", "most wallets an adopter holds at other operating banks (sub-wallets pushed by bank apps)", NULL},
    {"visitor_wallet_pct", SCN_REAL, CAL_ADOPTION_VISITOR_WALLET_PCT, 0, 1000, "%", "wallets opened by visitors and commuters, as a share of residents' wallets", NULL},
    {"engaged_pct", SCN_REAL, CAL_ADOPTION_ENGAGED_PCT, 0, 100, "%", "share of new adopters who use e-CNY for everyday purchases (the rest mostly hold it for subsidies)", NULL},
    {"dormancy_rate", SCN_REAL, CAL_ADOPTION_DORMANCY_RATE, 0, 1, "1/day", "chance per day that an engaged adopter stops using e-CNY for everyday purchases", NULL},
    {"reactivation_rate", SCN_REAL, CAL_ADOPTION_REACTIVATION_RATE, 0, 1, "1/day", "chance per day that a holder who does not use e-CNY for everyday purchases takes it up (again), times how useful the wallet is (acceptance, limits, incentives: campaigns reactivate)", NULL},
    {"ceiling_pct", SCN_REAL, CAL_ADOPTION_CEILING_PCT, 0, 100, "%", "share of residents who would ever open a wallet (a soft one with a smartphone, else a hard one): adoption saturates well below everyone (261 M wallets / 903.6 M mobile-payment users = 0.29 is a bound on reach)", NULL},
    {"usefulness_weight", SCN_REAL, CAL_ADOPTION_USEFULNESS_WEIGHT, 0, 100, "x", "how far a useful wallet raises the chance to download and stay engaged: the chance is multiplied by limit share x (1 + this x usefulness), usefulness = share of purchase occasions at accepting merchants + incentives", NULL},
    {"incentive_weight", SCN_REAL, "1", 0, 1000, "per 100 yuan", "usefulness added by e-CNY incentives (vouchers, envelopes, subsidies) paid into wallets, per 100 yuan per resident over the last 30 days", NULL},
    {"elderly_smartphone_pct", SCN_REAL, "27.3", 0, 100, "%", "share of residents aged 60+ with a smartphone (PBOC survey 2020: 27.3 % can use online services)", NULL},
    {"class1_pct", SCN_REAL, "2", 0, 100, "%", "share of new soft wallets opened at class 1 (in person at a bank counter)", NULL},
    {"class2_pct", SCN_REAL, "18", 0, 100, "%", "share opened at class 2 (linked to a bank account)", NULL},
    {"class3_pct", SCN_REAL, "20", 0, 100, "%", "share opened at class 3 (ID number); the rest are class 4 (phone number only)", NULL},
    {"contact_area_pct", SCN_REAL, "50", 0, 100, "%", "share of a resident's word-of-mouth contacts in its own urban or rural area (household, neighbours)", NULL},
    {"contact_age_pct", SCN_REAL, "30", 0, 100, "%", "share in its own age band (workplace, school, peers); the rest are city-wide", NULL},
    {"horse_race_weight", SCN_REAL, "1", 0, 1000, "", "how far marketing tilts new wallets and merchants to a bank: its weight is market share x (1 + this x its marketing / 1,000 yuan per million residents a day)", NULL},
    {"first_topup_yuan", SCN_MONEY, "50", 0, 1e6, "yuan", "amount converted from deposit when a wallet is opened (small sums, as cash: 83 % of people carry under 500 yuan; with topup_yuan it sets e-CNY in circulation, 13.6 bn yuan at end 2022)", NULL},
};

static const scn_key payments_keys[] = {
    {"occasions_per_day", SCN_REAL, "1.9", 0, 50, "1/day", "purchase occasions per resident per day (non-bank payments ~1.94/person/day)", NULL},
    {"ecny_choice", SCN_REAL, CAL_PAYMENTS_ECNY_CHOICE, 0, 1, "", "chance an adopter pays with e-CNY at a merchant that accepts it", NULL},
    {"casual_pct", SCN_REAL, CAL_PAYMENTS_CASUAL_PCT, 0, 100, "%", "how often a holder who is not engaged pays with e-CNY, as a share of an engaged adopter's rate (a subsidy to spend, a fare, a promotion): many rare users beside few frequent ones", NULL},
    {"reach_half_pct", SCN_REAL, CAL_PAYMENTS_REACH_HALF_PCT, 0, 100, "%", "share of a category's merchants accepting at which half of an adopter's occasions meet one (acceptance starts where adopters shop: reach = a (1 + h) / (a + h))", NULL},
    {"app_pct", SCN_REAL, "86", 0, 100, "%", "share of non-e-CNY purchases of smartphone users paid by third-party app (the rest cash)", NULL},
    {"weekend_factor", SCN_REAL, "1.15", 0, 5, "x", "purchase occasions on Saturday and Sunday relative to weekdays", NULL},
    {"topup_yuan", SCN_MONEY, "100", 0.01, 1e6, "yuan", "amount a resident converts when the wallet is short for a payment (or the shortfall if larger)", NULL},
    {"keep_yuan", SCN_MONEY, CAL_PAYMENTS_KEEP_YUAN, 0, 1e6, "yuan", "working balance a resident keeps in a soft wallet: at each month's end the free balance above it goes back to the bank deposit (interest-free e-CNY competes with money-market funds; circulation stayed ~0.13-0.16 % of M0 while value grew tenfold); 0 keeps everything", NULL},
    {"active_window_days", SCN_INT, "30", 1, 365, "days", "a wallet counts as active if it paid within this many days", NULL},
    {"balance_cap_overflow", SCN_CHOICE, "reject", 0, 0, "", "a credit that would push a wallet over its class's balance cap: reject it, or sweep the excess to the wallet's bank account", "reject|sweep"},
};

static const scn_key merchants_keys[] = {
    {"per_1000_residents", SCN_REAL, "110", 1, 1000, "merchants", "market entities per 1000 residents (national ~0.11 per resident, Shenzhen ~0.23)", NULL},
    {"accept_base", SCN_REAL, CAL_MERCHANTS_ACCEPT_BASE, 0, 1, "1/day", "daily chance a merchant signs up when a bank's staff visit, once some residents hold e-CNY (no customers, no acceptance: the first pilot scenarios were set up where invited users shop)", NULL},
    {"app_fee_pct", SCN_REAL, "0.6", 0, 5, "%", "third-party payment fee merchants save on e-CNY (WeChat ~0.6 %, Alipay ~0.55 %)", NULL},
    {"fee_weight", SCN_REAL, "0.2", 0, 100, "per %", "relative rise of the acceptance chance per percentage point of fee saved (fee subsidies add to it)", NULL},
    {"demand_weight", SCN_REAL, CAL_MERCHANTS_DEMAND_WEIGHT, 0, 100, "1/day", "extra daily acceptance chance per unit share of residents who hold e-CNY (customers ask for it)", NULL},
    {"onboard_per_million", SCN_REAL, CAL_MERCHANTS_ONBOARD_PER_MILLION, 0, 1e6, "merchants/day", "merchants the operating banks' staff can sign up per day per million residents, with 4 operators (scales with the operators active): acceptance is limited by onboarding", NULL},
    {"gdp_ref_yuan", SCN_MONEY, "81000", 1, 1e7, "yuan", "GDP per resident at which per_1000_residents holds (China 2021: 80,976)", NULL},
    {"platform_from", SCN_DATE, "2022-01-01", DATE_MIN, DATE_MAX, "date", "day the payment platforms began signing their own merchants up for e-CNY (Meituan's offline merchants and WeChat Pay in January 2022; Alipay had pushed ~6 M e-CNY collection wallets to merchants by May 2022)", NULL},
    {"platform_factor", SCN_REAL, CAL_MERCHANTS_PLATFORM_FACTOR, 1, 100, "x", "from platform_from, the daily acceptance chance and the onboarding capacity are this many times the banks' alone: the platforms reach merchants the banks' staff do not, so at least 1; acceptance still follows customers", NULL},
    {"gdp_elasticity", SCN_REAL, CAL_MERCHANTS_GDP_ELASTICITY, 0, 3, "", "market entities per resident grow as (GDP per resident / gdp_ref_yuan)^this (Shenzhen alone, 0.23 per resident at 174,000 yuan vs 0.11 nationally, suggests ~1; the joint fit to every city's merchants and corporate wallets sets it: Xi'an's 1.59 M corporate wallets at 83,000 yuan a resident against Changsha's 0.86 M at 130,000)", NULL},
    {"must_accept", SCN_BOOL, "false", 0, 0, "", "merchants may not refuse e-CNY (the pilot guidance): all accept from the pilot start", NULL},
};

static const scn_key firms_keys[] = {
    {"per_1000_residents", SCN_REAL, "110", 0, 1000, "firms", "market entities (firms and individual businesses) per 1000 residents", NULL},
    {"large_pct", SCN_REAL, "1", 0, 100, "%", "share of large firms; they pay suppliers large_factor times as often, 5x larger tickets", NULL},
    {"large_factor", SCN_REAL, "20", 1, 1000, "x", "how many times more often a large firm pays suppliers than an SME", NULL},
    {"adopt_base", SCN_REAL, CAL_FIRMS_ADOPT_BASE, 0, 1, "1/day", "daily chance a firm opens a public (corporate) e-CNY wallet from bank marketing", NULL},
    {"adopt_peer", SCN_REAL, CAL_FIRMS_ADOPT_PEER, 0, 10, "1/day", "extra daily chance per unit share of firms already holding one (trading partners)", NULL},
    {"b2b_per_day", SCN_REAL, CAL_FIRMS_B2B_PER_DAY, 0, 100, "1/day", "e-CNY supplier payments per adopted SME per weekday", NULL},
    {"b2b_ticket_median_yuan", SCN_MONEY, "8000", 1, 1e9, "yuan", "median SME supplier payment (lognormal)", NULL},
    {"b2b_ticket_sigma", SCN_REAL, "1.2", 0, 4, "", "spread (sigma of the log) of supplier payments", NULL},
    {"engaged_pct", SCN_REAL, CAL_FIRMS_ENGAGED_PCT, 0, 100, "%", "share of firms opening a public wallet that pay suppliers in e-CNY (the rest hold one for receipts: Xi'an 1.59 M corporate wallets, 6.1 bn yuan in 18 months)", NULL},
    {"engage_rate", SCN_REAL, CAL_FIRMS_ENGAGE_RATE, 0, 10, "1/day", "daily chance that a firm holding a public wallet starts paying suppliers in e-CNY, per unit share of firms already doing so (trading partners: complementarities)", NULL},
    {"tax_ecny_pct", SCN_REAL, CAL_FIRMS_TAX_ECNY_PCT, 0, 100, "%", "share of adopted firms paying their monthly tax in e-CNY (on the 15th)", NULL},
    {"tax_median_yuan", SCN_MONEY, "5000", 1, 1e9, "yuan", "median monthly tax payment of a firm", NULL},
};

static const scn_key government_keys[] = {
    {"start", SCN_DATE, "2022-06-01", DATE_MIN, DATE_MAX, "date", "first day fiscal payments are made in e-CNY, or the city's pilot start if later (fiscal e-CNY payments began at scale in 2022; the national value grew 18-fold from Aug 2022 to Jun 2023: set by the joint fit)", NULL},
    {"spending_gdp_pct", SCN_REAL, "11", 0, 100, "% of GDP", "fiscal spending a year as a share of the area's GDP (Suzhou 2021: ~19,600 yuan per resident of 177,000)", NULL},
    {"ecny_pct", SCN_REAL, CAL_GOVERNMENT_ECNY_PCT, 0, 100, "%", "share of fiscal spending paid in e-CNY once ramped up, to payees that hold a wallet", NULL},
    {"ramp_days", SCN_INT, "180", 1, 3650, "days", "days from start over which the e-CNY share grows linearly to ecny_pct", NULL},
    {"g2p_pct", SCN_REAL, "30", 0, 100, "%", "share of e-CNY fiscal spending paid to residents (social security, subsidies); the rest to firms", NULL},
    {"g2b_median_yuan", SCN_MONEY, "20000", 1, 1e9, "yuan", "median payment to a firm (procurement, subsidies)", NULL},
    {"g2p_median_yuan", SCN_MONEY, "300", 0.01, 1e7, "yuan", "median payment to a resident", NULL},
};

#define SWEEP_VARY_DOC "a swept key: section.key=v1,v2,... or section.key=start:stop:step (full factorial with the others; --vary adds more)"
static const scn_key sweep_keys[] = {
    {"vary1", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary2", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary3", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary4", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary5", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary6", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary7", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"vary8", SCN_STRING, "", 0, 0, "", SWEEP_VARY_DOC, NULL},
    {"replications", SCN_INT, "1", 1, 1000000, "runs", "runs per parameter point, seeds derived from scenario.seed (--replications overrides)", NULL},
    {"ensemble", SCN_INT, "0", 0, 1000000, "runs", "runs per point over the parameter ensemble: run i applies row i (cycling) of data_dir/posterior.csv, with replication i's seed (0: none; --ensemble overrides; replaces replications)", NULL},
    {"outputs", SCN_CHOICE, "all", 0, 0, "", "all: run folders, runs.csv, all_daily.csv, summaries; summary: runs.csv and the summaries only (no all_daily.csv, run folders removed once summarised): for large ensembles", "all|summary"},
};

/* [peer]: the declared payments economy (docs/benchmark.md,
 * models/peer.c); defaults are the declared constants. */
static const scn_key peer_keys[] = {
    {"residents", SCN_INT, "0", 0, 1e9, "residents", "run the declared payments economy with this many residents instead of the [city] world (0: off)", NULL},
    {"days", SCN_INT, "30", 1, 3650, "days", "days the payments economy runs", NULL},
    {"contacts", SCN_INT, "8", 1, 64, "residents", "distinct contacts of each resident, drawn uniformly", NULL},
    {"residents_per_merchant", SCN_INT, "20", 1, 1e6, "residents", "merchants = residents div this", NULL},
    {"banks", SCN_INT, "6", 1, 64, "banks", "operating banks; residents and merchants draw one uniformly", NULL},
    {"innovation", SCN_REAL, "0.002", 0, 1, "1/day", "p: daily adoption chance with no adopted contact", NULL},
    {"imitation", SCN_REAL, "0.05", 0, 1, "1/day", "q: adoption chance is p + q k/contacts with k adopted contacts", NULL},
    {"purchases_per_day", SCN_REAL, "2", 0, 100, "1/day", "Poisson mean of a resident's purchase attempts a day", NULL},
    {"amount_log_mean", SCN_REAL, "4.5", -5, 15, "log yuan", "amount = exp(Normal(amount_log_mean, amount_log_sd)) yuan", NULL},
    {"amount_log_sd", SCN_REAL, "0.8", 0, 5, "", "spread of the log amount", NULL},
    {"funding_yuan", SCN_MONEY, "500", 0, 1e6, "yuan", "the bank funds a new adopter's wallet with this", NULL},
    {"topup_below_yuan", SCN_MONEY, "50", 0, 1e6, "yuan", "after a payment leaves less than this, the bank tops the wallet up", NULL},
    {"topup_yuan", SCN_MONEY, "200", 0, 1e6, "yuan", "amount of a threshold top-up", NULL},
    {"accept_initial", SCN_REAL, "0.05", 0, 1, "", "chance a merchant accepts e-CNY from the start", NULL},
    {"accept_base", SCN_REAL, "0.01", 0, 1, "1/day", "daily chance a non-accepting merchant starts accepting", NULL},
    {"accept_share_weight", SCN_REAL, "0.5", 0, 1, "1/day", "extra chance per unit share of adopters among the day's customers", NULL},
};

/* Pilot programmes (models/programme.h, docs/programmes.md). Every
 * programme section names its city ([city.NAME] of the scenario) and may
 * add a fixed administration or marketing cost. */
#define PRG_COMMON_KEYS \
    {"city", SCN_STRING, NULL, 0, 0, "", "the [city.NAME] section this programme runs in", NULL}, \
    {"fixed_cost_yuan", SCN_MONEY, "0", 0, BIG, "yuan", "fixed cost added to the programme's cost (administration, publicity)", NULL}

static const scn_key airdrop_keys[] = {
    PRG_COMMON_KEYS,
    {"district_population", SCN_INT, "0", 0, 2e9, "people", "population of the district running the lottery (Luohu ~1.14 M, Futian ~1.55 M; 0: the whole city)", NULL},
    {"pool_yuan", SCN_MONEY, NULL, 0.01, BIG, "yuan", "money in the lottery (Luohu 2020: 10,000,000)", NULL},
    {"envelope_yuan", SCN_LIST, "200", 0, 0, "yuan", "value of one envelope, or a mix in equal numbers (\"88,100,128\")", NULL},
    {"envelopes", SCN_INT, "0", 0, 1e9, "envelopes", "number of envelopes (0: pool_yuan / mean envelope)", NULL},
    {"registration_start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day residents may sign up", NULL},
    {"registration_end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day of sign-up", NULL},
    {"draw_date", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "day of the random draw (default: registration_end)", NULL},
    {"spend_start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day envelopes can be spent (they arrive that day)", NULL},
    {"spend_end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day envelopes can be spent; the unspent value returns to the pool the next day", NULL},
    {"residency_pct", SCN_REAL, "100", 0, 100, "%", "share of smartphone residents meeting the residency rule (e.g. located in the city)", NULL},
    {"kyc_pct", SCN_REAL, "100", 0, 100, "%", "share meeting the identity rule (mainland phone number and ID card)", NULL},
    {"employment_pct", SCN_REAL, "100", 0, 100, "%", "share meeting an employment rule (Longhua 2021: insured employees staying for the holiday)", NULL},
    {"publicity", SCN_REAL, "1", 0, 100, "x", "multiplier on the campaign's daily reach (1: a city-app campaign like Luohu's)", NULL},
    {"reach_district_per_day", SCN_REAL, "", 0, 100, "1/day", "override: daily reach rate among the residents of the district running the lottery (empty: [campaign] reach_district_per_day)", NULL},
    {"reach_city_per_day", SCN_REAL, "", 0, 100, "1/day", "override: daily reach rate in the rest of a city, and everywhere for a citywide lottery (empty: [campaign] reach_city_per_day)", NULL},
    {"interest", SCN_REAL, "", 0, 100, "", "override: sign-up propensity of a reached resident for 50,000 envelopes of 200 yuan at the first lottery (empty: [campaign] interest)", NULL},
    {"value_elasticity", SCN_REAL, "", 0, 5, "", "override: elasticity of the propensity to the envelope value (empty: [campaign] value_elasticity)", NULL},
    {"count_elasticity", SCN_REAL, "", 0, 5, "", "override: elasticity of the propensity to the number of envelopes (empty: [campaign] count_elasticity)", NULL},
    {"claim_pct", SCN_REAL, "", 0, 100, "%", "override: share of winners who claim their envelope (empty: from the friction by segment of [campaign], over the spending window)", NULL},
    {"merchants", SCN_INT, "0", 0, 1e9, "merchants", "participating merchants (Luohu 3,389; Futian >10,000); made to accept when too few do (0: every accepting merchant)", NULL},
    {"categories", SCN_LIST, "", 0, 0, "", "merchant categories where envelopes are valid (empty: all)", NULL},
    {"online_pct", SCN_REAL, "", 0, 100, "%", "override: share of envelope purchases made online (empty: from the categories taking part, each purchase's category drawn by its share of occasions; 'online' in categories adds the platforms, as Suzhou 2020 added JD.com)", NULL},
    {"platforms", SCN_LIST, "", 0, 0, "", "online platforms taking part, one merchant each, names from data/platforms.csv (jd, meituan, vipshop): each brings its share of purchase occasions and its category mix, so the online share of spending follows which take part (Suzhou 2020: JD.com; Chengdu 2022: JD, Vipshop, Meituan); empty: the online category's merchants, unnamed", NULL},
    {"spend_rate_per_day", SCN_REAL, "0.35", 0, 1, "1/day", "chance per day that a holder with value left makes a purchase (prior)", NULL},
};

static const scn_key transit_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day the lines accept e-CNY (Beijing subway: 2021-06-30)", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last day (default: the end of the run)", NULL},
    {"lines", SCN_INT, "1", 0, 10000, "lines", "bus or metro lines accepting e-CNY (Beijing: 24 subway + 4 suburban)", NULL},
    {"riders_per_day", SCN_INT, NULL, 0, 2e9, "people", "residents riding these lines on a day (Beijing subway ~10.5 M in 2018)", NULL},
    {"trips_per_rider", SCN_REAL, "2", 0.1, 20, "trips", "trips a rider makes per day", NULL},
    {"fare_yuan", SCN_MONEY, "3", 0.01, 1000, "yuan", "fare of a trip", NULL},
    {"promo_fare_yuan", SCN_MONEY, "0.01", 0.01, 1000, "yuan", "promotional fare paid in e-CNY during the promotion (Beijing, Ningbo: 0.01)", NULL},
    {"promo_start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "first day of the promotional fare (empty: no promotion)", NULL},
    {"promo_end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last day of the promotion (default: end)", NULL},
    {"ecny_choice_pct", SCN_REAL, "10", 0, 100, "%", "share of trips of wallet holders paid in e-CNY (prior)", NULL},
    {"promo_choice_pct", SCN_REAL, "40", 0, 100, "%", "the same during the promotion (prior)", NULL},
    {"open_pct", SCN_REAL, "0.02", 0, 100, "%/day", "daily chance that an aware rider without a wallet opens one to ride (prior)", NULL},
    {"promo_open_pct", SCN_REAL, "0.2", 0, 100, "%/day", "the same during the promotion (prior)", NULL},
    {"peak_am_hour", SCN_INT, "8", 0, 23, "hour", "morning peak hour", NULL},
    {"peak_pm_hour", SCN_INT, "18", 0, 23, "hour", "evening peak hour", NULL},
    {"peak_share_pct", SCN_REAL, "45", 0, 100, "%", "share of trips in the peaks (the peak hour and the hours either side)", NULL},
    {"sync_hour", SCN_INT, "23", 0, 23, "hour", "hour the gates sync hard-wallet taps made offline (they post then)", NULL},
    {"offline_limit_yuan", SCN_MONEY, "500", 0, 1e6, "yuan", "offline spending limit of a hard wallet between syncs (Changsha cards: ~500 password-free)", NULL},
};

static const scn_key rural_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day of the outreach", NULL},
    {"end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day of the outreach", NULL},
    {"outlets", SCN_INT, "0", 0, 1e6, "outlets", "bank outlets teaching e-CNY (PSBC Chongqing: >1,700)", NULL},
    {"rural_outlet_pct", SCN_REAL, "70", 0, 100, "%", "share of the outlets that are rural (PSBC Chongqing: 70 %)", NULL},
    {"staff", SCN_INT, "0", 0, 1e7, "people", "staff acting as e-CNY educators (PSBC Chongqing: >10,000; reported)", NULL},
    {"credit_villages", SCN_INT, "0", 0, 1e6, "villages", "credit villages promoting e-CNY (PSBC Chongqing: 3,432)", NULL},
    {"reach_per_outlet_per_day", SCN_REAL, "20", 0, 1e6, "people/day", "rural residents an outlet makes aware per day (prior)", NULL},
    {"reach_per_village_per_day", SCN_REAL, "3", 0, 1e6, "people/day", "residents a credit village makes aware per day (prior)", NULL},
    {"hard_wallets", SCN_INT, "0", 0, 1e9, "wallets", "hard wallets handed to rural residents without a smartphone over the window", NULL},
    {"hard_wallet_cost_yuan", SCN_MONEY, "30", 0, 1e6, "yuan", "cost of one card (prior)", NULL},
    {"aid_yuan", SCN_MONEY, "0", 0, BIG, "yuan", "agricultural or medical aid paid as earmarked smart-contract money", NULL},
    {"aid_recipients", SCN_INT, "0", 0, 1e9, "people", "rural residents receiving the aid", NULL},
    {"aid_date", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "day the aid is paid (default: start)", NULL},
    {"aid_days", SCN_INT, "90", 1, 3650, "days", "days the aid stays spendable before unspent aid returns", NULL},
    {"aid_categories", SCN_LIST, "retail,supermarket", 0, 0, "", "merchant categories where aid may be spent (farm inputs)", NULL},
    {"coupons", SCN_INT, "0", 0, 1e9, "coupons", "festival coupons for rural wallet holders (hot-pot, picking festivals)", NULL},
    {"coupon_yuan", SCN_MONEY, "20", 0.01, 1e6, "yuan", "value of a coupon", NULL},
    {"coupon_threshold_yuan", SCN_MONEY, "0", 0, 1e6, "yuan", "smallest purchase a coupon can be used on", NULL},
    {"coupon_date", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "day the coupons are issued (default: start)", NULL},
    {"coupon_days", SCN_INT, "14", 1, 3650, "days", "days a coupon stays valid", NULL},
    {"coupon_categories", SCN_LIST, "catering,retail,tourism", 0, 0, "", "categories where coupons are valid", NULL},
};

static const scn_key payroll_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day salaries are paid in e-CNY (Taicang: 2022-07; Changshu: 2023-05)", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last day (default: the end of the run)", NULL},
    {"employees", SCN_INT, NULL, 1, 1e9, "people", "public employees and SOE staff paid in e-CNY", NULL},
    {"employers", SCN_INT, "59", 1, 1e6, "employers", "paying employers, one linked batch each (Taicang: 59 municipal departments)", NULL},
    {"salary_yuan", SCN_MONEY, "8000", 0.01, 1e7, "yuan/month", "monthly pay of an employee (prior)", NULL},
    {"ecny_pct", SCN_REAL, "100", 0, 100, "%", "share of the pay paid in e-CNY (Xiangcheng 2020: a transport subsidy; Changshu: 100)", NULL},
    {"pay_day", SCN_INT, "10", 1, 31, "day", "day of the month salaries are paid (the month's last day when shorter)", NULL},
    {"keep_pct", SCN_REAL, "30", 0, 100, "%", "share of the e-CNY pay an employee keeps in the wallet; the rest goes to deposit (prior)", NULL},
};

static const scn_key loans_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day loans are disbursed", NULL},
    {"end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day loans are disbursed", NULL},
    {"target_yuan", SCN_MONEY, NULL, 0.01, BIG, "yuan", "total to lend (Suzhou 2023: 200 billion)", NULL},
    {"count", SCN_INT, NULL, 1, 1e9, "loans", "number of loans (Suzhou Q1 2023: 2,021 loans, 9.844 billion)", NULL},
    {"size_sigma", SCN_REAL, "1", 0, 5, "", "sigma of the log of a loan's size (lognormal; mean = target / count)", NULL},
    {"small_micro_pct", SCN_REAL, "70", 0, 100, "%", "share of loans to small and micro firms (prior)", NULL},
    {"term_months", SCN_INT, "12", 1, 360, "months", "repayment term, equal monthly principal", NULL},
    {"interest_pct", SCN_REAL, "4", 0, 100, "%/year", "interest rate", NULL},
    {"subsidy_pct", SCN_REAL, "0", 0, 100, "%", "share of the interest the government pays (the programme's cost)", NULL},
};

static const scn_key incentive_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day of the incentives", NULL},
    {"end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day", NULL},
    {"fee_subsidy_pct", SCN_REAL, "0", 0, 10, "%", "merchant fee subsidy in points of fee; raises acceptance like a fee saving", NULL},
    {"subsidy_per_merchant_yuan", SCN_MONEY, "200", 0, 1e7, "yuan", "what one onboarded merchant costs the subsidy (prior)", NULL},
    {"coupons", SCN_INT, "0", 0, 1e9, "coupons", "consumption coupons (the budget: coupons x coupon_yuan), claimed as open_to says", NULL},
    {"coupon_yuan", SCN_MONEY, "20", 0.01, 1e6, "yuan", "value of a coupon", NULL},
    {"threshold_yuan", SCN_MONEY, "0", 0, 1e6, "yuan", "smallest purchase a coupon can be used on (\"50 off 100\")", NULL},
    {"coupon_days", SCN_INT, "14", 1, 3650, "days", "days a coupon stays valid", NULL},
    {"merchants", SCN_INT, "0", 0, 1e9, "merchants", "participating merchants (0: every accepting merchant)", NULL},
    {"categories", SCN_LIST, "", 0, 0, "", "categories where coupons are valid (empty: all)", NULL},
    {"online_pct", SCN_REAL, "", 0, 100, "%", "override: share of coupon purchases made online (empty: from the categories taking part)", NULL},
    {"platforms", SCN_LIST, "", 0, 0, "", "online platforms taking part, one merchant each, names from data/platforms.csv (jd, meituan, vipshop): their occasion shares set the online share of coupon purchases (empty: the online category's merchants, unnamed)", NULL},
    {"open_to", SCN_CHOICE, "holders", 0, 0, "", "who may claim a coupon: holders = wallet holders on the start day (drawn at random); residents = any resident with a smartphone who signs up during the window, opening a wallet to receive it (first come, first served)", "holders|residents"},
    {"signup_per_day", SCN_REAL, "0.05", 0, 1, "1/day", "open campaigns: daily chance that an aware resident or a holder signs up while coupons last (prior); those without a wallet also face the [campaign] friction of opening one", NULL},
    {"spend_rate_per_day", SCN_REAL, "0.3", 0, 1, "1/day", "chance per day a coupon holder buys (prior)", NULL},
    {"marketing_yuan", SCN_MONEY, "0", 0, BIG, "yuan", "bank marketing budget spent evenly over the window", NULL},
    {"cost_per_aware_yuan", SCN_MONEY, "10", 0.01, 1e6, "yuan", "marketing cost of making one resident aware (prior)", NULL},
};

/* Dual-offline and hard-wallet trials (models/offline.c). The limits are a
 * device's own: offline caps in yuan were not published (data/sources.md,
 * "Offline payments"); the defaults take the Changsha hard wallet's
 * password-free payment and stay within the class 4 caps. */
static const scn_key offline_keys[] = {
    PRG_COMMON_KEYS,
    {"start", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "first day of the trial: participants get their devices and pay offline", NULL},
    {"end", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "last day: every device syncs and its offline value goes back to deposit", NULL},
    {"participants", SCN_INT, NULL, 0, 2e9, "people", "residents with a smartphone taking part: wallet holders drawn at random, then residents given a soft wallet when holders are too few", NULL},
    {"hard_wallets", SCN_INT, "0", 0, 2e9, "people", "residents without a smartphone given a hard wallet card to take part (elderly and rural users: Changsha 2023)", NULL},
    {"merchants", SCN_INT, "100", 1, 1e9, "merchants", "physical stores taking part, with offline collection devices (made to accept when too few do)", NULL},
    {"categories", SCN_LIST, "retail,catering,supermarket", 0, 0, "", "merchant categories of the stores taking part (empty: every physical category)", NULL},
    {"per_payment_yuan", SCN_MONEY, "500", 0.01, 2000, "yuan", "largest payment a device makes offline (Changsha hard wallet: password-free up to ~500; at most the class 4 single-payment cap, 2,000)", NULL},
    {"offline_balance_yuan", SCN_MONEY, "1000", 0.01, 5000, "yuan", "most offline value a device holds between syncs (offline caps were not published: a prior within the Changsha card's ~5,000 and the class 4 daily cap, 5,000)", NULL},
    {"load_yuan", SCN_MONEY, "300", 0.01, 5000, "yuan", "value a device is topped up to from deposit when it syncs (prior: 83 % of people carry under 500 yuan in cash)", NULL},
    {"payments_per_day", SCN_REAL, "0.5", 0, 20, "1/day", "offline purchases a device makes per day at the trial's stores (Poisson; prior)", NULL},
    {"online_per_day", SCN_REAL, "0.3", 0, 1, "1/day", "daily chance a device comes online and syncs its log (prior)", NULL},
    {"sync_hour", SCN_INT, "20", 13, 23, "hour", "hour devices that came online today sync (purchases are made at noon)", NULL},
    {"card_cost_yuan", SCN_MONEY, "0", 0, 10000, "yuan", "cost of one hard wallet card given (card, issuance, delivery), added to the trial's cost for every card handed out (no published figure: 0 by default)", NULL},
    {"cloned_pct", SCN_REAL, "0", 0, 100, "%", "share of devices tampered or cloned: two copies spend the same offline value, and the second claim is refused at sync (a double spend)", NULL},
};

static const scn_key kpi_keys[] = {
    {"city", SCN_STRING, NULL, 0, 0, "", "the [city.NAME] section the target is for", NULL},
    {"metric", SCN_CHOICE, NULL, 0, 0, "", "what is counted: flows from start (transaction_value, payments, new_wallets, loans, loan_count) or levels (wallets, active_wallets, merchants)", "transaction_value|payments|new_wallets|loans|loan_count|wallets|active_wallets|merchants"},
    {"target", SCN_REAL, NULL, 0, 1e18, "metric unit", "target in the metric's unit (yuan for transaction_value and loans)", NULL},
    {"start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "day counting starts for flow metrics (default: the scenario start)", NULL},
    {"deadline", SCN_DATE, NULL, DATE_MIN, DATE_MAX, "date", "day the target should be met by", NULL},
    {"programmes", SCN_LIST, "", 0, 0, "", "programmes whose cost counts, as KIND.NAME (empty: every programme of the city)", NULL},
    {"trend_days", SCN_INT, "30", 1, 3650, "days", "days of the linear trend used to project when an unmet target is reached", NULL},
    {"fixed_cost_yuan", SCN_MONEY, "0", 0, BIG, "yuan", "cost added to the programmes' (e.g. an action plan's budget)", NULL},
};

/* Cross-city flows (models/flows.c, docs/distributed.md). */
static const scn_key flow_keys[] = {
    {"from", SCN_STRING, NULL, 0, 0, "", "the [city.NAME] section the money leaves (travellers' home, remitters, paying firms)", NULL},
    {"to", SCN_STRING, NULL, 0, 0, "", "the [city.NAME] section it arrives in, on the next day", NULL},
    {"kind", SCN_CHOICE, "travel", 0, 0, "", "travel: wallet holders of from spend at to's accepting merchants; remittance: wallets of from send to wallets of to; b2b: firms of from pay suppliers in to", "travel|remittance|b2b"},
    {"start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "first day of the flow (default: the scenario start; never before from's pilot start)", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last day of the flow (default: the end of the run)", NULL},
    {"travellers_per_1000", SCN_REAL, "3", 0, 1000, "people/day", "travel: residents of from spending a day in to, per 1000 residents", NULL},
    {"ecny_pct", SCN_REAL, "40", 0, 100, "%", "travel: share of travelling wallet holders who pay there in e-CNY (cross-regional use)", NULL},
    {"remittances_per_1000", SCN_REAL, "0.5", 0, 1000, "1/day", "remittance: transfers to to per day per 1000 wallet holders of from", NULL},
    {"payments_per_firm", SCN_REAL, "0.01", 0, 100, "1/day", "b2b: payments to suppliers in to per adopted firm of from per weekday", NULL},
    {"amount_yuan", SCN_MONEY, "", 0.01, 1e9, "yuan", "median amount of one payment, lognormal (default: travel 350, remittance 800, b2b 30,000)", NULL},
    {"amount_sigma", SCN_REAL, "0.8", 0, 4, "", "spread (sigma of the log) of the amounts", NULL},
};

static const scn_key bank_keys[] = {
    {"marketing_yuan_per_million", SCN_MONEY, "0", 0, 1e9, "yuan/day", "marketing spend per million residents per day in every city of the scenario (the horse race for wallets and merchants)", NULL},
    {"start", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "first day of the campaign (default: the start of the run)", NULL},
    {"end", SCN_DATE, "", DATE_MIN, DATE_MAX, "date", "last day of the campaign (default: the end of the run)", NULL},
    {"cost_per_aware_yuan", SCN_MONEY, "20", 0.01, 1e6, "yuan", "marketing cost of making one resident aware of e-CNY (prior)", NULL},
};

/* How residents respond to campaigns (docs/programmes.md): the claiming
 * friction is a prior; use_up_pct is fitted on Futian's spending rows; the
 * lottery sign-up keys are priors or fitted jointly on the sign-up rows of
 * data/targets.csv, as each says. */
static const scn_key campaign_keys[] = {
    {"holder_act_per_day", SCN_REAL, "0.6", 0, 1, "1/day", "daily chance that a winner or sign-up already holding a wallet claims and activates the money (prior)", NULL},
    {"open_per_day", SCN_REAL, "0.35", 0, 1, "1/day", "daily chance that one without a wallet, under 35 with a smartphone, opens and activates one to claim (prior)", NULL},
    {"open_middle_factor", SCN_REAL, "0.75", 0, 1, "x", "open_per_day multiplier for ages 35-59 (prior)", NULL},
    {"open_elderly_factor", SCN_REAL, "0.35", 0, 1, "x", "open_per_day multiplier for ages 60+ (prior)", NULL},
    {"use_up_pct", SCN_REAL, "57", 0, 100, "%", "share of purchases with a voucher that has no threshold planned to use up what is left on it (mental accounting of a windfall: Liu, Shen, Li & Chen 2021; bunching at the voucher's value); the rest are ordinary tickets (fitted over 50-70 on Futian's payments and own-money top-ups, the only published campaign spending figures; seeds 1-3)", NULL},
    /* The lottery sign-up model (models/airdrop.c, docs/programmes.md "Sign-up
     * model"): the defaults of every [airdrop.NAME], which may override the
     * first five. */
    {"reach_district_per_day", SCN_REAL, "1.5", 0, 100, "1/day", "daily reach rate of a district's lottery among the district's residents (prior)", NULL},
    {"reach_city_per_day", SCN_REAL, "0.6", 0, 100, "1/day", "daily reach rate of a lottery in the rest of a city, and everywhere for a citywide lottery (district_population = 0) (prior)", NULL},
    {"other_city_reach_pct", SCN_REAL, "2.073", 0, 100, "%", "daily reach rate of a district's lottery in the rest of a province-kind area (data/cities.csv kind), as a share of reach_city_per_day: there the envelopes are spent in another city hours away; a lottery of the whole area is reached at reach_city_per_day (fitted jointly on the rows luohu_sign_ups, futian_*, sanya_sign_ups, ningbo_sign_ups_24h, shenzhen_may2022_sign_ups)", NULL},
    {"interest", SCN_REAL, "0.155", 0, 100, "", "sign-up propensity of a reached resident for 50,000 envelopes of 200 yuan at the first public lottery (Luohu, 9 Oct 2020) (fitted jointly on the sign-up rows, as other_city_reach_pct)", NULL},
    {"value_elasticity", SCN_REAL, "0.6", 0, 5, "", "elasticity of the propensity to the mean envelope value (prior)", NULL},
    {"count_elasticity", SCN_REAL, "0.35", 0, 5, "", "elasticity of the propensity to the number of envelopes, i.e. the odds (fitted jointly on the sign-up rows, as other_city_reach_pct, held at the largest value on a 0.05 grid that keeps Futian within tests/e2e_pilots.sh's +-20 %: the free optimum, 0.53, driven by the uncertain Shenzhen May 2022 row, puts Futian at +23 %)", NULL},
    {"novelty_months", SCN_REAL, "23.68", 0.1, 1000, "months", "time constant of the fading novelty: the propensity is multiplied by exp(-months since 9 Oct 2020, Luohu's registration, / this) (fitted jointly on the sign-up rows, as other_city_reach_pct)", NULL},
};

static const scn_section sections[] = {
    {"scenario", false, true, "The run: dates, seed, scale, folders.", scenario_keys, N_KEYS(scenario_keys)},
    {"run", false, false, "Written by ecnysim at the top of manifest.ini (status, version, seed, command): provenance, ignored when the file is run.", NULL, 0},
    {"batch", false, false, "Written by ecnysim in a batch's manifest.ini: provenance, ignored when the file is run.", NULL, 0},
    {"city", true, true, "A pilot city (or province) to simulate; NAME is its area in data/cities.csv unless area is given.", city_keys, N_KEYS(city_keys)},
    {"wallet_class", true, false, "Limits of a personal wallet class; NAME is 1, 2, 3 or 4 (4 = anonymous).", wallet_class_keys, N_KEYS(wallet_class_keys)},
    {"adoption", false, false, "How residents hear of e-CNY and open wallets.", adoption_keys, N_KEYS(adoption_keys)},
    {"payments", false, false, "How residents pay: occasions, choice of method, top-ups.", payments_keys, N_KEYS(payments_keys)},
    {"merchants", false, false, "Merchant numbers and acceptance of e-CNY.", merchants_keys, N_KEYS(merchants_keys)},
    {"bank", true, false, "An operating bank's marketing campaign; NAME is its 'bank' in data/banks.csv (icbc, abc, boc, ccb, ...).", bank_keys, N_KEYS(bank_keys)},
    {"firms", false, false, "Firms' corporate wallets, supplier (B2B) payments and taxes.", firms_keys, N_KEYS(firms_keys)},
    {"government", false, false, "The city governments' fiscal payments in e-CNY.", government_keys, N_KEYS(government_keys)},
    {"peer", false, false, "The declared payments economy benchmark (docs/benchmark.md): residents > 0 runs it instead of the cities.", peer_keys, N_KEYS(peer_keys)},
    {"sweep", false, false, "Batch runs of this scenario: swept keys and replications ('ecnysim run' runs them all; docs/research.md).", sweep_keys, N_KEYS(sweep_keys)},
    {"campaign", false, false, "How residents respond to e-CNY campaigns: who signs up for a lottery (reach, interest, novelty), friction of claiming by segment (age, smartphone, holding a wallet).", campaign_keys, N_KEYS(campaign_keys)},
    {"airdrop", true, false, "A lottery red-envelope airdrop (Shenzhen Luohu 2020): sign-up, draw, earmarked envelopes, claw-back.", airdrop_keys, N_KEYS(airdrop_keys)},
    {"transit", true, false, "Bus or metro lines accepting e-CNY: rides, peaks, promotional fares, offline taps.", transit_keys, N_KEYS(transit_keys)},
    {"rural", true, false, "Rural outreach: outlets, credit villages, hard wallets, earmarked aid, festival coupons.", rural_keys, N_KEYS(rural_keys)},
    {"payroll", true, false, "Public salaries paid in e-CNY as linked batches from employer wallets.", payroll_keys, N_KEYS(payroll_keys)},
    {"loans", true, false, "SME loans disbursed and repaid in e-CNY.", loans_keys, N_KEYS(loans_keys)},
    {"incentive", true, false, "Merchant fee subsidies, threshold coupons and bank marketing budgets.", incentive_keys, N_KEYS(incentive_keys)},
    {"offline", true, false, "A dual-offline trial: devices pay each other offline, keep local logs and balances, and post at sync, where a double spend is caught.", offline_keys, N_KEYS(offline_keys)},
    {"kpi", true, false, "A KPI target of a city: attainment, date reached or projected, cost (kpi.csv).", kpi_keys, N_KEYS(kpi_keys)},
    {"flow", true, false, "Money flowing between two cities of the scenario (travel, remittances, B2B), sent on a day and credited on the next (flows.csv).", flow_keys, N_KEYS(flow_keys)},
};

const scn_schema ecny_schema = {sections, N_KEYS(sections)};
