/* ledger.h: the e-CNY transaction core (prefix led_).
 *
 * Double-entry accounts in integer fen. Every movement debits one account and
 * credits another; the central bank's issuer account is the only one allowed
 * to go negative, so the sum of all balances is always zero and money in
 * circulation (every balance except the issuer's) equals issued minus
 * withdrawn. Accounts are columns (struct of arrays) indexed by led_acct.
 *
 * Two tiers: the central bank issues e-CNY to an operating bank against 100 %
 * reserve (the bank's reserve falls by what is issued); a wallet is topped up
 * from its bank (deposit -> e-CNY conversion, issuing on demand); a merchant
 * redeems to its bank (e-CNY -> deposit). Wallet classes 1-4 carry balance,
 * per-payment, daily and annual caps; a payment over a cap is refused with a
 * reason and counted, never half-applied.
 *
 * The ledger knows nothing about residents, programmes or files.
 */
#ifndef ECNYSIM_LEDGER_H
#define ECNYSIM_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t led_acct;
#define LED_NONE UINT32_MAX

enum led_account_kind {
    LED_CENTRAL_BANK = 0, /* the issuer: balance = -(circulation) */
    LED_BANK,             /* an operating bank's e-CNY vault; reserve kept beside it */
    LED_WALLET,           /* personal soft wallet, class 1-4 */
    LED_SUB_WALLET,       /* sub-wallet of a parent personal wallet */
    LED_HARD_WALLET,      /* card or SIM: can pay offline */
    LED_PUBLIC_WALLET,    /* corporate / public institution wallet */
    LED_MERCHANT,         /* merchant collection wallet */
    LED_POOL,             /* programme pool: airdrop, subsidy, aid fund */
    LED_GOVERNMENT,       /* government treasury wallet */
    LED_ACCOUNT_KINDS
};

/* Transfer kinds, for counting and for the ledger.csv rows. */
enum led_transfer_kind {
    LED_T_ISSUE = 0,  /* central bank -> bank */
    LED_T_WITHDRAW,   /* bank -> central bank */
    LED_T_TOPUP,      /* bank -> wallet (deposit conversion) */
    LED_T_REDEEM,     /* wallet/merchant -> bank (back to deposit) */
    LED_T_PAYMENT,    /* wallet -> wallet/merchant */
    LED_T_BATCH,      /* one leg of a linked batch */
    LED_T_OFFLINE,    /* offline payment posted at sync */
    LED_T_EARMARK,    /* pool -> wallet as earmarked money */
    LED_T_EXPIRE,     /* earmarked remainder back to its pool */
    LED_TRANSFER_KINDS
};

/* Why a transfer was refused. LED_OK is success. */
enum led_reason {
    LED_OK = 0,
    LED_R_INSUFFICIENT,    /* balance (free + usable earmark) too low */
    LED_R_PER_PAYMENT,     /* over the class's single-payment cap */
    LED_R_DAILY,           /* over the class's daily cap */
    LED_R_ANNUAL,          /* over the class's annual cap */
    LED_R_BALANCE_CAP,     /* credit would push the payee over its cap */
    LED_R_EARMARK,         /* earmarked money offered outside its earmark */
    LED_R_EXPIRED,         /* earmark expired */
    LED_R_DOUBLE_SPEND,    /* offline value already spent, caught at sync */
    LED_R_OFFLINE_LIMIT,   /* over the hard wallet's offline limit */
    LED_R_RESERVE,         /* bank reserve too low to issue */
    LED_R_INVALID,         /* bad account, closed account, amount <= 0, self-transfer */
    LED_R_CAPACITY,        /* a table sized at led_alloc_ex is full (earmarks, pending, batch) */
    LED_REASONS
};

/* Caps of one wallet class, fen; 0 means no cap. */
typedef struct {
    int64_t balance_cap_fen;
    int64_t per_payment_fen;
    int64_t daily_fen;
    int64_t annual_fen;
} led_class_limits;

/* Counters of one city for the current day; reset by led_day_begin. */
typedef struct {
    uint64_t count[LED_TRANSFER_KINDS];
    int64_t value_fen[LED_TRANSFER_KINDS];
    uint64_t rejected[LED_REASONS];
} led_day_stats;

typedef struct led_ledger led_ledger;

/* Allocates a ledger for up to max_accounts accounts and max_cities cities.
 * limits[0..3] are classes 1..4. Returns NULL when memory is short. The
 * central bank's account (index 0) is opened by this call. */
led_ledger *led_alloc(uint32_t max_accounts, uint32_t max_cities,
                      const led_class_limits limits[4]);
void led_free(led_ledger *led); /* NULL is fine */

/* Bytes the ledger will allocate for max_accounts accounts: lets callers
 * refuse a population that cannot fit before allocating it. */
uint64_t led_bytes_needed(uint32_t max_accounts, uint32_t max_cities);

led_acct led_central_bank(const led_ledger *led);

/* Opens an account. wallet_class is 1..4 for personal wallets (sub and hard
 * wallets too), ignored otherwise. bank is the operating bank's account (its
 * LED_BANK), LED_NONE for the central bank and for banks themselves.
 * Returns LED_NONE when max_accounts is reached. */
led_acct led_open(led_ledger *led, enum led_account_kind kind, int wallet_class,
                  led_acct bank, uint16_t city);

/* Gives an operating bank reserve at the central bank (deposits held there). */
void led_set_reserve(led_ledger *led, led_acct bank, int64_t reserve_fen);
int64_t led_reserve(const led_ledger *led, led_acct bank);

/* Starts a simulated day: daily caps and per-day counters are reset. */
void led_day_begin(led_ledger *led, int32_t day);

/* Transfers. Each returns LED_OK or the reason it was refused; a refused
 * transfer changes no balance and is counted under its city and reason. */
enum led_reason led_issue(led_ledger *led, led_acct bank, int64_t amount_fen);
enum led_reason led_withdraw(led_ledger *led, led_acct bank, int64_t amount_fen);
/* bank -> wallet; the bank issues on demand against its reserve. */
enum led_reason led_topup(led_ledger *led, led_acct wallet, int64_t amount_fen);
/* wallet -> its bank. */
enum led_reason led_redeem(led_ledger *led, led_acct wallet, int64_t amount_fen);
/* payer -> payee under the payer's class caps and the payee's balance cap. */
enum led_reason led_pay(led_ledger *led, led_acct payer, led_acct payee, int64_t amount_fen);

int64_t led_balance(const led_ledger *led, led_acct acct);
enum led_account_kind led_kind(const led_ledger *led, led_acct acct);
int led_wallet_class(const led_ledger *led, led_acct acct);
uint16_t led_city(const led_ledger *led, led_acct acct);
uint32_t led_accounts(const led_ledger *led);

/* Money in circulation: everything the issuer has put out and not taken back. */
int64_t led_circulation(const led_ledger *led);
int64_t led_issued_total(const led_ledger *led);
int64_t led_withdrawn_total(const led_ledger *led);

/* Today's counters for one city (valid until the next led_day_begin). */
const led_day_stats *led_day(const led_ledger *led, uint16_t city);

/* Full invariant check, O(accounts + lots + pending): debits equal credits
 * (balances sum to zero), circulation = issued - withdrawn, no wallet over its
 * cap, no balance negative except the issuer's, earmark and pending lists
 * consistent, and the running sums (below) equal to the balances. Returns true
 * when all hold; otherwise writes the first violation into why (size why_len)
 * and returns false. */
bool led_check(const led_ledger *led, char *why, size_t why_len);

/* The ledger keeps running balance sums, moved by every transfer: by account
 * kind and class, and by part (accounts are split into LED_CHECK_PARTS runs of
 * consecutive numbers). led_check_quick checks them in O(kinds x classes +
 * cities), without reading any account: they sum to zero, the issuer's equals
 * its balance and -(issued - withdrawn), the issue and withdraw counters add
 * up to issued and withdrawn, no kind's sum is negative, no class's is over
 * its accounts' caps together, the earmarked total is within the personal
 * balances. led_check_part adds a sweep of one part (part mod
 * LED_CHECK_PARTS): every per-account fact of led_check, and the part's
 * balances against its running sum, so a balance changed outside a transfer
 * is caught when its part comes round. Same return convention as led_check. */
#define LED_CHECK_PARTS 64u
bool led_check_quick(const led_ledger *led, char *why, size_t why_len);
bool led_check_part(const led_ledger *led, uint32_t part, char *why, size_t why_len);

/* The end-of-day check of a run: OFF nothing; SAMPLED led_check_part of part
 * (today's day number mod LED_CHECK_PARTS), so 64 consecutive days sweep every
 * account, at 1/64 of a full sweep a day; FULL led_check. */
enum led_check_mode { LED_CHECK_OFF = 0, LED_CHECK_SAMPLED, LED_CHECK_FULL };
bool led_check_day(const led_ledger *led, enum led_check_mode mode, char *why, size_t why_len);

const char *led_reason_name(enum led_reason r);           /* "insufficient", ... */
const char *led_transfer_kind_name(enum led_transfer_kind k); /* "payment", ... */

/* ------------------------------------------------------------------------
 * Additions (issue 3). Append-only: nothing above this line changes meaning.
 * ------------------------------------------------------------------------ */

/* Largest amount one transfer may move (10 trillion yuan): bounds every sum a
 * transfer can make so int64 balances cannot overflow. Larger: LED_R_INVALID. */
#define LED_AMOUNT_MAX_FEN INT64_C(1000000000000000)
/* Daily and annual caps are tracked in uint32 fen: a cap must be 0 (none) or
 * below this, or led_alloc/led_alloc_ex return NULL. */
#define LED_SPEND_CAP_MAX_FEN INT64_C(4294967295)
#define LED_ANY_CITY UINT16_MAX          /* earmark rule: spendable in any city */
#define LED_NO_EXPIRY INT32_MAX          /* earmark rule: never expires */
#define LED_CATEGORY_NONE 255            /* merchant category before one is set */
#define LED_OFFLINE_LIMIT_DEFAULT_FEN INT64_C(50000) /* 500 yuan */

/* Defaults for classes 1..4 (index 0..3), fen: class 4 10,000/2,000/5,000/
 * 50,000 yuan; class 3 20,000/5,000/10,000/100,000 (an interpolation, not
 * published); class 2 500,000/50,000/100,000/none; class 1 no caps. */
extern const led_class_limits led_default_limits[4];

/* Sizes of everything the ledger allocates, all at led_alloc_ex time. A zero
 * field takes the default led_config_default gives it. */
typedef struct {
    uint32_t max_accounts;
    uint32_t max_cities;
    led_class_limits limits[4];  /* classes 1..4 */
    uint32_t max_banks;          /* operating banks (reserve slots); default 1024 */
    uint32_t max_earmarks;       /* live earmark lots; default max_accounts/64 + 1024 */
    uint32_t max_ext;            /* wallets holding earmarks or being hard wallets at
                                    once; default max_accounts/64 + 1024 */
    uint32_t max_pending;        /* offline payments awaiting sync; default
                                    max_accounts/256 + 1024 */
    uint32_t max_batch_legs;     /* legs of one linked batch; default
                                    min(max_accounts, 16384) + 64 */
    uint32_t flags;              /* LED_CFG_* */
} led_config;
/* Do not ask for transparent huge pages for the account table (by default a
 * table of 2 MiB or more is 2 MiB-aligned and madvise'd MADV_HUGEPAGE). */
#define LED_CFG_NO_HUGE_PAGES 0x1u

/* Fills cfg with the defaults for max_accounts/max_cities; limits NULL means
 * led_default_limits. */
void led_config_default(led_config *cfg, uint32_t max_accounts, uint32_t max_cities,
                        const led_class_limits limits[4]);
/* Allocates a ledger sized by cfg (zero fields take defaults). Returns NULL
 * when memory is short or cfg is invalid (a spend cap above
 * LED_SPEND_CAP_MAX_FEN, no accounts, no cities). led_alloc(n, c, l) is
 * led_alloc_ex of led_config_default(n, c, l). */
led_ledger *led_alloc_ex(const led_config *cfg);
uint64_t led_bytes_needed_ex(const led_config *cfg);
/* Bytes per account the account table itself costs (the hot record). */
size_t led_account_bytes(void);

/* Cumulative counters over all cities and days, including today. */
void led_totals(const led_ledger *led, led_day_stats *out);
int32_t led_today(const led_ledger *led);

/* Annual caps run over 365-day years: day d is in year (d + offset_days)/365.
 * Set offset_days to the day-of-year (0-based) of day 0 to align with the
 * calendar year; default 0. Leap days are ignored. Call before any payment. */
void led_set_year_offset(led_ledger *led, int32_t offset_days);

/* KYC upgrade or downgrade of a personal wallet (class 1..4). Refused with
 * LED_R_BALANCE_CAP when the balance is over the new class's cap, LED_R_INVALID
 * for a non-personal account; today's and this year's spends carry over. */
enum led_reason led_set_class(led_ledger *led, led_acct wallet, int wallet_class);

/* Opens a sub-wallet of a personal wallet: same class, bank and city. Its
 * payments count against the parent's per-payment, daily and annual caps
 * (splitting money into sub-wallets does not lift them); its balance cap is
 * its own class's. Returns LED_NONE when max_accounts is reached. */
led_acct led_open_sub_wallet(led_ledger *led, led_acct parent);
led_acct led_parent(const led_ledger *led, led_acct acct); /* LED_NONE if none */
led_acct led_bank_of(const led_ledger *led, led_acct acct); /* LED_NONE if none */

/* Balance-cap overflow policy: what happens when a payment would push the
 * payee over its class balance cap. REJECT (default): the payment is refused
 * with LED_R_BALANCE_CAP. SWEEP: the payment posts and the excess is redeemed
 * from the payee to its bank (an LED_T_REDEEM transfer); a payee without a
 * bank is refused as under REJECT. Top-ups and earmark grants always reject. */
enum led_overflow_policy { LED_OVERFLOW_REJECT = 0, LED_OVERFLOW_SWEEP = 1 };
void led_set_overflow_policy(led_ledger *led, enum led_overflow_policy policy);

/* Linked batch: every leg is a plain payment (caps and overflow policy as
 * led_pay, counted as LED_T_BATCH). All legs post or none: if any leg would be
 * refused, no balance changes, the first failing leg's reason is returned and
 * counted once (under that leg's payer city, kind LED_T_BATCH), and its index
 * is written to *failed_leg (may be NULL). Legs see the effect of earlier legs
 * (a payer paying twice needs both amounts). Hard-wallet payers with pending
 * offline payments are synced first, outside the batch. More than
 * max_batch_legs legs, or a batch whose undo journal fills: LED_R_CAPACITY. */
typedef struct {
    led_acct from;
    led_acct to;
    int64_t amount_fen;
} led_leg;
enum led_reason led_pay_batch(led_ledger *led, const led_leg *legs, uint32_t n_legs,
                              uint32_t *failed_leg);

/* Many independent payments, exactly as led_pay on each leg in order (each
 * posts or is refused on its own, counted and traced as LED_T_PAYMENT; this
 * is not a linked batch), but faster on a large population: it prefetches
 * the accounts of the legs a few places ahead, so the cache misses of
 * consecutive payments overlap. reasons (may be NULL) receives each leg's
 * enum led_reason. Returns the number posted. */
uint32_t led_pay_many(led_ledger *led, const led_leg *legs, uint32_t n_legs, uint8_t *reasons);

/* Offline (two-phase) payments of hard wallets. led_pay_offline records a
 * pending payment and changes no balance: the payee is credited only when the
 * payer syncs. It is refused (LED_R_OFFLINE_LIMIT) when the wallet's unsynced
 * offline spending would exceed its offline limit, LED_R_CAPACITY when the
 * pending table is full, LED_R_INVALID for a payer that is not a hard wallet.
 * It does not check the balance: a cloned or tampered card can pay twice, and
 * that is caught at sync.
 *
 * led_sync posts the wallet's pending payments in the order they were made.
 * The wallet's offline balance is its balance at its last sync (or last online
 * debit or top-up); a pending payment posts only if the payments posted so far
 * in this sync plus it fit in that offline balance and it passes every check
 * of led_pay (counted as LED_T_OFFLINE); one that does not fit, or finds the
 * balance already spent, is refused with LED_R_DOUBLE_SPEND. Other refusals
 * keep their reason. Returns the number refused. Any online debit or top-up
 * of a hard wallet syncs it first. */
enum led_reason led_pay_offline(led_ledger *led, led_acct hard_wallet, led_acct payee,
                                int64_t amount_fen);
uint32_t led_sync(led_ledger *led, led_acct hard_wallet);
void led_set_offline_limit(led_ledger *led, led_acct hard_wallet, int64_t limit_fen);
int64_t led_offline_limit(const led_ledger *led, led_acct hard_wallet);
int64_t led_offline_balance(const led_ledger *led, led_acct hard_wallet); /* at last sync */
int64_t led_pending_fen(const led_ledger *led, led_acct hard_wallet);
uint32_t led_pending_count(const led_ledger *led, led_acct hard_wallet);

/* Merchants: category 0..31 (matched by an earmark's category bitmask) and a
 * tag bitmask (e.g. bit p = takes part in programme p). */
void led_set_merchant_category(led_ledger *led, led_acct merchant, uint8_t category);
void led_set_merchant_tag(led_ledger *led, led_acct merchant, uint32_t tag_bitmask);

/* Conditional (earmarked) money. A rule says where a lot may be spent: at a
 * merchant whose category bit is in category_mask (0: any category), that
 * carries one of tag_mask's tags (0: no tag needed), in city (LED_ANY_CITY:
 * any), on days before expiry_day (LED_NO_EXPIRY: never expires). At expiry
 * (led_expire with day >= expiry_day) the remainder returns to return_pool
 * (LED_NONE: the granting pool). */
typedef struct {
    uint32_t category_mask;
    uint32_t tag_mask;
    uint16_t city;
    int32_t expiry_day;
    led_acct return_pool;
} led_earmark_rule;

/* pool -> wallet as earmarked money (LED_T_EARMARK). Refused: LED_R_INSUFFICIENT
 * (pool short), LED_R_BALANCE_CAP (wallet would pass its cap; never swept),
 * LED_R_EXPIRED (expiry_day <= today), LED_R_CAPACITY (lot or ext table full),
 * LED_R_INVALID (payer not a pool or government, payee not a personal wallet).
 * A payment to an eligible merchant spends earmarked lots first (earliest
 * expiry first), then free balance; any other transfer out of the wallet may
 * use only its free balance (balance - earmarked): short of free balance it is
 * refused with LED_R_EARMARK when earmarked money would have covered it,
 * LED_R_EXPIRED when only expired lots would have, else LED_R_INSUFFICIENT. */
enum led_reason led_earmark_grant(led_ledger *led, led_acct pool, led_acct wallet,
                                  int64_t amount_fen, const led_earmark_rule *rule);
/* Returns every lot with expiry_day <= day to its pool (LED_T_EXPIRE).
 * Cost: O(lots expiring + days since the last call, at most 4096 buckets).
 * Returns the number of lots expired. */
uint32_t led_expire(led_ledger *led, int32_t day);
int64_t led_earmarked(const led_ledger *led, led_acct wallet);
uint32_t led_earmark_lots(const led_ledger *led); /* live lots */

/* Sampled transfer trace. Every transfer attempt gets a sequence number; the
 * callback sees those whose hash(seq) falls under rate (0..1; 1 = all, 0 or a
 * NULL fn = off), posted or refused, so a sample is the same on every run.
 * Batch legs (and their sweeps) are reported after the batch commits, in
 * order; a refused batch is reported once, as its failing leg.
 * The callback must not call back into the ledger. */
typedef struct {
    uint64_t seq;
    int32_t day;
    uint16_t city;          /* the city it is counted under */
    uint8_t kind;           /* enum led_transfer_kind */
    uint8_t reason;         /* enum led_reason, LED_OK when posted */
    led_acct from;
    led_acct to;
    int64_t amount_fen;
} led_transfer;
typedef void (*led_trace_fn)(void *ctx, const led_transfer *t);
void led_set_trace(led_ledger *led, led_trace_fn fn, void *ctx, double rate);

/* ------------------------------------------------------------------------
 * Checkpoints (issue 8, sim/checkpoint.h). Append-only.
 * ------------------------------------------------------------------------ */
struct ckp_writer;
struct ckp_reader;
/* Writes the ledger's whole state (accounts, reserves, earmark lots and
 * their expiry ring, pending offline payments, today's and past counters,
 * totals) as one section. Not during a batch. Streams: nothing is copied. */
void led_save(const led_ledger *led, struct ckp_writer *w);
/* Reads a section written by led_save into a ledger allocated with the same
 * sizes (led_alloc_ex of the same config): any other size fails the reader
 * with a message. The trace callback, limits and overflow policy set by the
 * caller are kept. On failure the ledger is unusable: free it. */
void led_load(led_ledger *led, struct ckp_reader *r);

#endif
