/* test_scenario.c: unit tests of sim/scenario (cmocka).
 *
 * The loader is schema-driven, so these tests use a small schema of their
 * own (below) that exercises every type, named and single sections, required
 * keys and sections, and empty ("derived") defaults, independent of the
 * models' schema. Scenarios are written to a temporary folder. Every bug
 * fixed in scenario.c has a test here (empty values of derived keys,
 * byte-order marks, unclosed headers, money bounds in messages, scn_str on
 * any type).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/calendar.h"
#include "sim/scenario.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const scn_key run_keys[] = {
    {"start", SCN_DATE, "2020-04-01", 17897, 24105, "date", "first day", NULL},
    {"end", SCN_DATE, "", 17897, 24105, "date", "last day (derived from days when empty)", NULL},
    {"days", SCN_INT, "90", 1, 1000, "days", "number of days", NULL},
    {"seed", SCN_INT, "1", 0, 9.2e18, "", "base seed", NULL},
    {"rate", SCN_REAL, "0.25", 0, 1, "1/day", "a probability", NULL},
    {"budget_yuan", SCN_MONEY, "12345.67", 0, 1e15, "yuan", "a budget", NULL},
    {"fee_yuan", SCN_MONEY, "0.01", 0.01, 100, "yuan", "a fee of at least one fen", NULL},
    {"check", SCN_BOOL, "true", 0, 0, "", "a switch", NULL},
    {"mode", SCN_CHOICE, "fast", 0, 0, "", "how to run", "fast|slow|exact"},
    {"label", SCN_STRING, "", 0, 0, "", "free text", NULL},
    {"tags", SCN_LIST, "a,b", 0, 0, "", "words", NULL},
    {"mix_yuan", SCN_LIST, "88,100", 0, 0, "yuan", "amounts (a list of money)", NULL},
};

static const scn_key city_keys[] = {
    {"population", SCN_INT, "0", 0, 2e9, "people", "residents", NULL},
    {"promotion", SCN_REAL, "1", 0, 100, "x", "campaign multiplier", NULL},
    {"pilot_start", SCN_DATE, "", 17897, 24105, "date", "pilot start (derived when empty)", NULL},
};

static const scn_key drop_keys[] = {
    {"total_yuan", SCN_MONEY, NULL, 0.01, 1e12, "yuan", "money to give away (required)", NULL},
    {"winners", SCN_INT, "1000", 1, 1e9, "people", "lottery winners", NULL},
};

static const scn_key knob_keys[] = {
    {"volume", SCN_REAL, "0.5", 0, 1, "", "a knob", NULL},
};

static const scn_section test_sections[] = {
    {"run", false, true, "The run.", run_keys, N(run_keys)},
    {"city", true, true, "A city.", city_keys, N(city_keys)},
    {"airdrop", true, false, "A lottery airdrop.", drop_keys, N(drop_keys)},
    {"knobs", false, false, "Optional knobs.", knob_keys, N(knob_keys)},
};

static const scn_schema schema = {test_sections, N(test_sections)};

/* ---- fixtures ---- */

static char dir[256];
static char path[512];
static err_list *errs;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test_scenario.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    errs = malloc(sizeof *errs);
    if (!errs)
        return -1;
    err_init(errs);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    char other[600];
    snprintf(other, sizeof other, "%s/resolved.ini", dir);
    unlink(other);
    rmdir(dir);
    free(errs);
    errs = NULL;
    return 0;
}

static const char *write_file(const char *content, size_t n)
{
    snprintf(path, sizeof path, "%s/s.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static scn_doc *load(const char *text, const char *const *sets, int n_sets)
{
    err_init(errs);
    return scn_load(&schema, write_file(text, strlen(text)), sets, n_sets, errs);
}

/* True when some message contains every one of the NULL-terminated substrings. */
static bool has_msg(const char *first, ...)
{
    int kept = errs->count < ERR_MAX ? errs->count : ERR_MAX;
    for (int i = 0; i < kept; i++) {
        bool all = true;
        va_list ap;
        va_start(ap, first);
        for (const char *s = first; s && all; s = va_arg(ap, const char *))
            all = strstr(errs->msg[i], s) != NULL;
        va_end(ap);
        if (all)
            return true;
    }
    return false;
}

static void dump_errors(void)
{
    for (int i = 0; i < errs->count && i < ERR_MAX; i++)
        print_message("  %s\n", errs->msg[i]);
}

#define ASSERT_MSG(...)                                                                                                \
    do {                                                                                                               \
        if (!has_msg(__VA_ARGS__, NULL)) {                                                                             \
            dump_errors();                                                                                             \
            fail_msg("no message with all of: %s", #__VA_ARGS__);                                                      \
        }                                                                                                              \
    } while (0)

/* Loads text that must fail; returns the message count. */
static int load_bad(const char *text, const char *const *sets, int n_sets)
{
    scn_doc *d = load(text, sets, n_sets);
    if (d) {
        scn_free(d);
        fail_msg("loaded a bad scenario:\n%s", text);
    }
    assert_true(errs->count > 0);
    return errs->count;
}

static const char *MINIMAL = "[run]\n\n[city.suzhou]\n";

/* ---- tests ---- */

static void test_scenario_defaults_filled(void **state)
{
    (void)state;
    scn_doc *d = load(MINIMAL, NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    const scn_instance *run = scn_single(d, "run");
    assert_int_equal(scn_date(run, "start"), cal_day_from_ymd(2020, 4, 1));
    assert_int_equal(scn_int(run, "days"), 90);
    assert_true(scn_real(run, "rate") == 0.25);
    assert_true(scn_fen(run, "budget_yuan") == 1234567);
    assert_true(scn_fen(run, "fee_yuan") == 1);
    assert_true(scn_bool(run, "check"));
    assert_string_equal(scn_str(run, "mode"), "fast");
    assert_string_equal(scn_str(run, "label"), "");
    assert_string_equal(scn_str(run, "tags"), "a,b");
    assert_false(scn_has(run, "end"));
    assert_false(scn_has(run, "label"));
    assert_true(scn_has(run, "days"));
    assert_false(scn_is_set(run, "days"));
    /* Optional single sections exist with their defaults. */
    const scn_instance *knobs = scn_single(d, "knobs");
    assert_true(scn_real(knobs, "volume") == 0.5);
    assert_int_equal(scn_line(knobs, "volume"), 0);
    assert_int_equal(scn_count(d, "city"), 1);
    assert_int_equal(scn_count(d, "airdrop"), 0);
    assert_null(scn_nth(d, "airdrop", 0));
    const scn_instance *c = scn_find(d, "city", "suzhou");
    assert_non_null(c);
    assert_ptr_equal(c, scn_nth(d, "city", 0));
    assert_string_equal(scn_name(c), "suzhou");
    assert_string_equal(scn_section_name(c), "city");
    assert_string_equal(scn_name(run), "");
    assert_int_equal(scn_line(c, "population"), 3); /* defaulted: the header's line */
    assert_null(scn_find(d, "city", "shenzhen"));
    assert_string_equal(scn_path(d), path);
    scn_free(d);
    scn_free(NULL);
}

static void test_scenario_values_and_lines(void **state)
{
    (void)state;
    scn_doc *d = load("; comment\n"
                      "[run]\n"
                      "start = 2021-02-28\n"
                      "days = 12345\n"
                      "seed = 9000000000000000000\n"
                      "rate = 0.125 ; inline comment\n"
                      "budget_yuan = 0.01\n"
                      "check = off\n"
                      "mode = exact\n"
                      "label = \"Shenzhen; lottery #1\"\n"
                      "tags = x, y\n"
                      "\n"
                      "[City.Shenzhen]\n"
                      "Population = 17560000\n"
                      "[city.suzhou]\n"
                      "promotion = 1.5\n",
                      NULL, 0);
    assert_null(d); /* days 12345 is above 1000 */
    ASSERT_MSG("s.ini:4:", "'days' in [run] is 12345", "1..1000 days");
    assert_int_equal(errs->count, 1);

    d = load("; comment\n"
             "[run]\n"
             "start = 2021-02-28\n"
             "days = 345\n"
             "seed = 9000000000000000000\n"
             "rate = 0.125 ; inline comment\n"
             "budget_yuan = 0.01\n"
             "check = off\n"
             "mode = exact\n"
             "label = \"Shenzhen; lottery #1\"\n"
             "tags = x, y\n"
             "\n"
             "[City.Shenzhen]\n"
             "Population = 17560000\n"
             "[city.suzhou]\n"
             "promotion = 1.5\n",
             NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    const scn_instance *run = scn_single(d, "run");
    assert_int_equal(scn_date(run, "start"), cal_day_from_ymd(2021, 2, 28));
    assert_int_equal(scn_int(run, "days"), 345);
    assert_true(scn_int(run, "seed") == INT64_C(9000000000000000000));
    assert_true(scn_real(run, "rate") == 0.125);
    assert_true(scn_fen(run, "budget_yuan") == 1);
    assert_false(scn_bool(run, "check"));
    assert_string_equal(scn_str(run, "mode"), "exact");
    assert_string_equal(scn_str(run, "label"), "Shenzhen; lottery #1");
    assert_true(scn_is_set(run, "days"));
    assert_int_equal(scn_line(run, "days"), 4);
    assert_int_equal(scn_line(run, "label"), 10);
    char where[600], expect[600];
    scn_where(d, run, "rate", where, sizeof where);
    snprintf(expect, sizeof expect, "%s:6", path);
    assert_string_equal(where, expect);
    /* Section and key names are case-insensitive and stored lower-cased. */
    assert_int_equal(scn_count(d, "city"), 2);
    const scn_instance *sz = scn_find(d, "city", "shenzhen");
    assert_non_null(sz);
    assert_int_equal(scn_int(sz, "population"), 17560000);
    assert_int_equal(scn_line(sz, "population"), 14);
    assert_int_equal(scn_line(sz, NULL), 13);
    /* File order. */
    assert_string_equal(scn_name(scn_nth(d, "city", 0)), "shenzhen");
    assert_string_equal(scn_name(scn_nth(d, "city", 1)), "suzhou");
    assert_true(scn_real(scn_nth(d, "city", 1), "promotion") == 1.5);
    scn_free(d);
}

static void test_scenario_bool_spellings(void **state)
{
    (void)state;
    static const char *yes[] = {"true", "TRUE", "yes", "On", "1"}, *no[] = {"false", "No", "off", "0"};
    char text[200];
    for (size_t i = 0; i < N(yes); i++) {
        snprintf(text, sizeof text, "[run]\ncheck = %s\n[city.a]\n", yes[i]);
        scn_doc *d = load(text, NULL, 0);
        assert_non_null(d);
        assert_true(scn_bool(scn_single(d, "run"), "check"));
        scn_free(d);
    }
    for (size_t i = 0; i < N(no); i++) {
        snprintf(text, sizeof text, "[run]\ncheck = %s\n[city.a]\n", no[i]);
        scn_doc *d = load(text, NULL, 0);
        assert_non_null(d);
        assert_false(scn_bool(scn_single(d, "run"), "check"));
        scn_free(d);
    }
    load_bad("[run]\ncheck = maybe\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "'check' in [run] is 'maybe'", "expected true or false");
}

static void test_scenario_unknown_key_suggests(void **state)
{
    (void)state;
    load_bad("[run]\ndays = 10\nsede = 7\n\n[city.suzhou]\npopulaton = 5\nzzzzzzzz = 1\n", NULL, 0);
    ASSERT_MSG("s.ini:3:", "unknown key 'sede' in [run]", "(did you mean 'seed'?)");
    ASSERT_MSG("s.ini:6:", "unknown key 'populaton' in [city.suzhou]", "did you mean 'population'");
    ASSERT_MSG("s.ini:7:", "unknown key 'zzzzzzzz' in [city.suzhou]", "ecnysim describe city");
    assert_false(has_msg("zzzzzzzz", "did you mean", NULL));
    assert_int_equal(errs->count, 3);
}

static void test_scenario_unknown_section_suggests(void **state)
{
    (void)state;
    load_bad("[run]\n[city.a]\n[airdorp.luohu]\ntotal_yuan = 5\n[weather]\nrain = 1\n", NULL, 0);
    ASSERT_MSG("s.ini:3:", "unknown section [airdorp.luohu]", "did you mean 'airdrop'");
    ASSERT_MSG("s.ini:5:", "unknown section [weather]");
    assert_false(has_msg("weather", "did you mean", NULL));
}

static void test_scenario_named_section_rules(void **state)
{
    (void)state;
    load_bad("[run]\n[city]\npopulation = 5\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "section [city] needs a name", "[city.NAME]");
    load_bad("[run.x]\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:1:", "section [run.x] takes no name", "expected [run]");
    load_bad("[run]\n[city.su zhou]\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "section name 'su zhou'");
    load_bad("[run]\n[city.a]\n[city.b]\n[city.A]\n", NULL, 0);
    ASSERT_MSG("s.ini:4:", "section [city.a] appears twice (first at line 2)");
    load_bad("[run]\n[city.a]\n[run]\n", NULL, 0);
    ASSERT_MSG("s.ini:3:", "section [run] appears twice");
    /* Required sections, named or not, and required keys. */
    load_bad("[run]\n", NULL, 0);
    ASSERT_MSG("s.ini:1:", "missing section [city.NAME]");
    load_bad("[city.a]\n", NULL, 0);
    ASSERT_MSG("missing section [run]");
    load_bad("[run]\n[city.a]\n[airdrop.luohu]\nwinners = 5\n", NULL, 0);
    ASSERT_MSG("s.ini:3:", "missing key 'total_yuan' in [airdrop.luohu]");
    scn_doc *d = load("[run]\n[city.a]\n[airdrop.luohu]\ntotal_yuan = 30000000\n[airdrop.futian]\ntotal_yuan = 0.5\n",
                      NULL, 0);
    assert_non_null(d);
    assert_int_equal(scn_count(d, "airdrop"), 2);
    assert_true(scn_fen(scn_find(d, "airdrop", "luohu"), "total_yuan") == INT64_C(3000000000));
    assert_true(scn_fen(scn_find(d, "airdrop", "futian"), "total_yuan") == 50);
    assert_int_equal(scn_int(scn_find(d, "airdrop", "futian"), "winners"), 1000);
    scn_free(d);
}

static void test_scenario_types(void **state)
{
    (void)state;
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"days = ten", "'days' in [run] is 'ten': expected a whole number"},
        {"days = 10.5", "'days' in [run] is '10.5'"},
        {"days = 0x10", "'days' in [run] is '0x10'"},
        {"seed = 99999999999999999999", "'seed' in [run] is '99999999999999999999'"},
        {"rate = high", "'rate' in [run] is 'high': expected a number"},
        {"rate = nan", "'rate' in [run] is 'nan'"},
        {"rate = inf", "'rate' in [run] is 'inf'"},
        {"rate = 1e999", "'rate' in [run] is '1e999'"},
        {"mode = quick", "'mode' in [run] is 'quick': expected one of fast|slow|exact"},
        {"mode = fas", "'mode' in [run] is 'fas'"},
        {"start = 2020/04/01", "'start' in [run] is '2020/04/01': expected a real date"},
        {"days =", "'days' in [run] has no value"},
        {"check = 2", "'check' in [run] is '2'"},
    };
    char text[300];
    for (size_t i = 0; i < N(bad); i++) {
        snprintf(text, sizeof text, "[run]\n%s\n[city.a]\n", bad[i].line);
        load_bad(text, NULL, 0);
        ASSERT_MSG("s.ini:2:", bad[i].want);
    }
}

static void test_scenario_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"days = 0", "'days' in [run] is 0: expected 1..1000 days"},
        {"days = -5", "'days' in [run] is -5"},
        {"days = 1001", "is 1001"},
        {"rate = 1.0001", "'rate' in [run] is 1.0001: expected 0..1 1/day"},
        {"rate = -0.1", "is -0.1"},
        {"seed = -1", "'seed' in [run] is -1"},
        {"seed = 9200000000000000001", "'seed' in [run] is 9200000000000000001"}, /* 1 above, exact */
        {"fee_yuan = 0", "'fee_yuan' in [run] is 0 yuan: expected 0.01..100 yuan"},
        {"fee_yuan = 100.01", "is 100.01 yuan"},
        {"budget_yuan = -0.01", "'budget_yuan' in [run] is -0.01 yuan"},
        {"start = 2018-12-31", "'start' in [run] is 2018-12-31: expected a date from 2019-01-01 to 2035-12-31"},
    };
    char text[300];
    for (size_t i = 0; i < N(bad); i++) {
        snprintf(text, sizeof text, "[run]\n%s\n[city.a]\n", bad[i].line);
        load_bad(text, NULL, 0);
        ASSERT_MSG("s.ini:2:", bad[i].want);
    }
    /* The bounds themselves are inside. */
    scn_doc *d = load("[run]\ndays = 1000\nrate = 1\nfee_yuan = 0.01\nstart = 2035-12-31\n[city.a]\npopulation = "
                      "2000000000\n",
                      NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    assert_int_equal(scn_int(scn_single(d, "run"), "days"), 1000);
    scn_free(d);
}

static void test_scenario_money(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t fen;
    } good[] = {
        {"0.01", 1},        {"12345.67", 1234567}, {"7.5", 750},       {"200", 20000}, {"0", 0},
        {"+3.10", 310},     {"000123.45", 12345},  {"0.1", 10},
        {"1000000000000000", INT64_C(100000000000000000)}, /* the key's maximum, 1e15 yuan */
    };
    char text[300];
    for (size_t i = 0; i < N(good); i++) {
        snprintf(text, sizeof text, "[run]\nbudget_yuan = %s\n[city.a]\n", good[i].text);
        scn_doc *d = load(text, NULL, 0);
        if (!d)
            dump_errors();
        assert_non_null(d);
        if (scn_fen(scn_single(d, "run"), "budget_yuan") != good[i].fen)
            fail_msg("'%s' gave %lld fen", good[i].text, (long long)scn_fen(scn_single(d, "run"), "budget_yuan"));
        assert_string_equal(scn_str(scn_single(d, "run"), "budget_yuan"), good[i].text);
        scn_free(d);
    }
    static const char *bad[] = {
        "12.345", "0.001", "1.", ".5", "5e2", "12,50", "1 000", "¥5", "5yuan", "--5", "- 5",
        "99999999999999999999",   /* beyond int64 fen */
        "92233720368547758.08",   /* one fen beyond INT64_MAX fen */
        "92233720368547758",      /* INT64_MAX fen rounded down to yuan, still refused by the parser's guard */
        "1000000000000000.01",    /* above the key's maximum */
    };
    for (size_t i = 0; i < N(bad); i++) {
        snprintf(text, sizeof text, "[run]\nbudget_yuan = %s\n[city.a]\n", bad[i]);
        load_bad(text, NULL, 0);
        ASSERT_MSG("s.ini:2:", "'budget_yuan' in [run]", bad[i]);
    }
    load_bad("[run]\nbudget_yuan = 12.345\n[city.a]\n", NULL, 0);
    ASSERT_MSG("at most 2 decimals");
}

/* A list in yuan (envelope_yuan): every word is money, exactly, or refused
 * with FILE:LINE naming the word; scn_fen_list gives the fen. */
static void test_scenario_money_list(void **state)
{
    (void)state;
    scn_doc *d = load("[run]\nmix_yuan = 123.45, 0.01,7.5 ,88\n[city.a]\n", NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    int64_t fen[3] = {0};
    assert_int_equal(scn_fen_list(scn_single(d, "run"), "mix_yuan", fen, 3), 4); /* four, three kept */
    assert_true(fen[0] == 12345 && fen[1] == 1 && fen[2] == 750);
    scn_free(d);
    d = load("[run]\n[city.a]\n", NULL, 0); /* the default */
    assert_non_null(d);
    assert_int_equal(scn_fen_list(scn_single(d, "run"), "mix_yuan", fen, 3), 2);
    assert_true(fen[0] == 8800 && fen[1] == 10000);
    scn_free(d);
    static const char *bad[] = {"200.005", "1e2", "lots", "12.", "0.001"};
    char text[300];
    for (size_t i = 0; i < N(bad); i++) {
        snprintf(text, sizeof text, "[run]\nmix_yuan = 88,%s,100\n[city.a]\n", bad[i]);
        load_bad(text, NULL, 0);
        ASSERT_MSG("s.ini:2:", "'mix_yuan' in [run]", bad[i], "at most 2 decimals");
    }
}

static void test_scenario_dates(void **state)
{
    (void)state;
    static const char *bad[] = {"2021-02-29", "2021-02-30", "2021-13-01", "2021-04-31", "2021-4-1", "20210401",
                                "2021-04-01T00:00"};
    char text[300];
    for (size_t i = 0; i < N(bad); i++) {
        snprintf(text, sizeof text, "[run]\nstart = %s\n[city.a]\n", bad[i]);
        load_bad(text, NULL, 0);
        ASSERT_MSG("s.ini:2:", "'start' in [run]", bad[i]);
    }
    scn_doc *d = load("[run]\nstart = 2020-02-29\nend = 2020-03-01\n[city.a]\npilot_start = 2020-12-31\n", NULL, 0);
    assert_non_null(d);
    assert_int_equal(scn_date(scn_single(d, "run"), "start"), cal_day_from_ymd(2020, 2, 29));
    assert_int_equal(scn_date(scn_single(d, "run"), "end"), cal_day_from_ymd(2020, 3, 1));
    assert_true(scn_has(scn_single(d, "run"), "end"));
    assert_int_equal(scn_date(scn_nth(d, "city", 0), "pilot_start"), cal_day_from_ymd(2020, 12, 31));
    scn_free(d);
}

static void test_scenario_duplicate_keys(void **state)
{
    (void)state;
    load_bad("[run]\ndays = 10\nseed = 3\nDays = 11\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:4:", "key 'days' in [run] is given twice (first at line 2)");
    load_bad("days = 10\n[run]\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:1:", "key 'days' is outside any section");
}

static void test_scenario_reports_every_error(void **state)
{
    (void)state;
    int n = load_bad("[run]\ndays = 0\nrate = 2\nmode = slowest\nsede = 1\n[city.a]\npromotion = -1\n[wether]\n", NULL, 0);
    assert_int_equal(n, 6);
    ASSERT_MSG("s.ini:8:", "unknown section [wether]");
    ASSERT_MSG("s.ini:2:", "'days'");
    ASSERT_MSG("s.ini:3:", "'rate'");
    ASSERT_MSG("s.ini:4:", "'mode'");
    ASSERT_MSG("s.ini:5:", "'sede'");
    ASSERT_MSG("s.ini:7:", "'promotion'");
    /* The scan finds every duplicate before stopping. */
    n = load_bad("[run]\ndays = 1\ndays = 2\n[city.a]\n[city.a]\n", NULL, 0);
    assert_int_equal(n, 2);
}

static void test_scenario_text_checks(void **state)
{
    (void)state;
    /* Empty file, binary bytes, latin-1, byte-order mark, long lines, unclosed header. */
    err_init(errs);
    assert_null(scn_load(&schema, write_file("", 0), NULL, 0, errs));
    ASSERT_MSG("s.ini:1:", "the scenario is empty");
    err_init(errs);
    assert_null(scn_load(&schema, write_file("[run]\n\0\1\2", 9), NULL, 0, errs));
    ASSERT_MSG("s.ini:2:", "not a text file");
    load_bad("[run]\nlabel = caf\xe9\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "byte 0xe9 is not valid UTF-8");
    scn_doc *d = load("[run]\nlabel = caf\xc3\xa9 \xe6\xb7\xb1\xe5\x9c\xb3\n[city.a]\n", NULL, 0);
    assert_non_null(d); /* UTF-8 is fine */
    assert_string_equal(scn_str(scn_single(d, "run"), "label"), "caf\xc3\xa9 \xe6\xb7\xb1\xe5\x9c\xb3");
    scn_free(d);
    load_bad("\xef\xbb\xbf[run]\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:1:", "byte-order mark");
    assert_int_equal(errs->count, 1);
    char big[1400];
    snprintf(big, sizeof big, "[run]\nlabel = %01100d\n[city.a]\n", 7);
    load_bad(big, NULL, 0);
    ASSERT_MSG("s.ini:2:", "characters long");
    load_bad("[run\ndays = 5\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:1:", "'[run'", "no closing ']'");
    assert_int_equal(errs->count, 1); /* not also "days is outside any section" */
    load_bad("[run]\ndays 5\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "syntax error");
    err_init(errs);
    assert_null(scn_load(&schema, "/nonexistent/s.ini", NULL, 0, errs));
    ASSERT_MSG("/nonexistent/s.ini", "cannot open scenario");
}

static void test_scenario_set_overrides(void **state)
{
    (void)state;
    const char *text = "[run]\ndays = 10\n[city.suzhou]\npromotion = 2\n";
    const char *sets[] = {"run.days=20", "city.suzhou.promotion=3.5", "knobs.volume=0.75", "RUN.Seed=77",
                          "run.end=2020-05-01", "run.label=a b = c"};
    scn_doc *d = load(text, sets, (int)N(sets));
    if (!d)
        dump_errors();
    assert_non_null(d);
    const scn_instance *run = scn_single(d, "run");
    assert_int_equal(scn_int(run, "days"), 20);
    assert_int_equal(scn_int(run, "seed"), 77);
    assert_string_equal(scn_str(run, "label"), "a b = c");
    assert_true(scn_is_set(run, "seed"));
    assert_int_equal(scn_line(run, "days"), 1); /* overridden: no line in the file, the header's */
    assert_true(scn_real(scn_find(d, "city", "suzhou"), "promotion") == 3.5);
    assert_true(scn_real(scn_single(d, "knobs"), "volume") == 0.75);
    assert_int_equal(scn_date(run, "end"), cal_day_from_ymd(2020, 5, 1));
    uint64_t with_sets = scn_hash(d);
    scn_free(d);
    d = load(text, NULL, 0);
    assert_non_null(d);
    assert_true(scn_hash(d) != with_sets); /* overrides are part of the provenance */
    scn_free(d);

    static const struct {
        const char *set, *want;
    } bad[] = {
        {"run.days=abc", "--set run.days=abc: 'days' in [run] is 'abc'"},
        {"run.days", "--set run.days: expected section.key=value"},
        {"days=5", "--set days=5: expected section.key=value"},
        {"run.=5", "--set run.=5: expected section.key=value"},
        {"rnu.days=5", "unknown section [rnu] (did you mean 'run'?)"},
        {"run.dasy=5", "unknown key 'dasy' in [run] (did you mean 'days'?)"},
        {"city.shenzhen.promotion=2", "no section [city.shenzhen]"},
        {"city.promotion=2", "section [city] needs a name"},
        {"run.rate=1.5", "'rate' in [run] is 1.5"},
        {"run.budget_yuan=1.234", "'budget_yuan' in [run] is '1.234'"},
        {"run.start=2021-02-29", "'start' in [run] is '2021-02-29'"},
        {"airdrop.x.winners=5", "a new one needs keys without a default ('total_yuan')"},
        {"run.rate=0x1p-2", "'rate' in [run] is '0x1p-2'"},
        {"run.rate=inf", "'rate' in [run] is 'inf'"},
        {"run.rate= 0.5", "'rate' in [run] is ' 0.5'"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        const char *one[] = {bad[i].set};
        load_bad(text, one, 1);
        ASSERT_MSG(bad[i].want);
    }
    /* Every bad override is reported, with the file's errors. */
    const char *two[] = {"run.days=0", "run.rate=-1"};
    int n = load_bad("[run]\nseed = x\n[city.a]\n", two, 2);
    assert_int_equal(n, 3);
}

/* Values are read as iniparser 4.1 read them (the shipped scenarios depend
 * on it): quotes kept out, comments cut, "" empty; what iniparser silently
 * mangled is refused with the line. */
static void test_scenario_value_syntax(void **state)
{
    (void)state;
    scn_doc *d = load("[run]\nlabel = \"a;b # c \" ; note\ntags = x,y # z\nmode = 'slow'\n"
                      "[city.a]\n[city.b]\n", NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    assert_string_equal(scn_str(scn_single(d, "run"), "label"), "a;b # c ");
    assert_string_equal(scn_str(scn_single(d, "run"), "tags"), "x,y");
    assert_string_equal(scn_str(scn_single(d, "run"), "mode"), "slow");
    assert_int_equal(scn_count(d, "city"), 2);
    assert_string_equal(scn_name(scn_nth(d, "city", 1)), "b");
    assert_null(scn_nth(d, "city", 2));
    scn_free(d);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[run]\nlabel = a\\\ndays = 5\n[city.a]\n", ":2: the line ends with '\\'"},
        {"[run]\nlabel = \"abc\n[city.a]\n", ":2: 'label' in [run]: the value's '\"' is not closed"},
        {"[run]\nlabel = 'a' b\n[city.a]\n", ":2: 'label' in [run]: text after the closing quote"},
        {"[run]\n[city.a] ; x\n", ":2: syntax error at '[city.a] ; x'"},
        {"[run]\n[]\n", ":2: section header '[]'"},
        {"[run]\nrate = 0x10\n[city.a]\n", ":2: 'rate' in [run] is '0x10'"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        load_bad(bad[i].text, NULL, 0);
        ASSERT_MSG(bad[i].want);
    }
}

static void test_scenario_empty_derived_value(void **state)
{
    (void)state;
    /* A key whose default is empty ("derived") accepts an empty value: it
     * means "not given" (scn_write_resolved writes such keys that way). */
    scn_doc *d = load("[run]\nend =\n[city.a]\npilot_start =\n", NULL, 0);
    if (!d)
        dump_errors();
    assert_non_null(d);
    assert_false(scn_has(scn_single(d, "run"), "end"));
    assert_false(scn_has(scn_nth(d, "city", 0), "pilot_start"));
    scn_free(d);
    const char *sets[] = {"run.end="};
    d = load("[run]\nend = 2020-05-01\n[city.a]\n", sets, 1);
    assert_non_null(d);
    assert_false(scn_has(scn_single(d, "run"), "end"));
    scn_free(d);
    /* A key with a real default still needs a value. */
    load_bad("[run]\ndays =\n[city.a]\n", NULL, 0);
    ASSERT_MSG("s.ini:2:", "'days' in [run] has no value");
}

static void test_scenario_str_of_any_type(void **state)
{
    (void)state;
    scn_doc *d = load("[run]\nend = 2020-05-01\ndays = 012\n[city.a]\n", NULL, 0);
    assert_non_null(d);
    const scn_instance *run = scn_single(d, "run");
    assert_string_equal(scn_str(run, "end"), "2020-05-01");
    assert_string_equal(scn_str(run, "days"), "012");
    assert_int_equal(scn_int(run, "days"), 12);
    assert_string_equal(scn_str(run, "start"), "2020-04-01"); /* the default's text */
    scn_free(d);
}

static void test_scenario_write_resolved_round_trip(void **state)
{
    (void)state;
    const char *text = "[run]\nstart = 2020-02-29\ndays = 345\nseed = 9000000000000000001\nrate = 0.1\n"
                       "budget_yuan = 12345.67\ncheck = no\nmode = slow\nlabel = \"a; b # c\"\ntags = x,\"y\n"
                       "[city.shenzhen]\npopulation = 17560000\npromotion = 1.5\n[city.suzhou]\n"
                       "[airdrop.luohu]\ntotal_yuan = 0.01\n";
    const char *sets[] = {"knobs.volume=0.3"};
    scn_doc *a = load(text, sets, 1);
    if (!a)
        dump_errors();
    assert_non_null(a);
    char out[600];
    snprintf(out, sizeof out, "%s/resolved.ini", dir);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    scn_write_resolved(a, f);
    assert_int_equal(fclose(f), 0);
    err_init(errs);
    scn_doc *b = scn_load(&schema, out, NULL, 0, errs);
    if (!b)
        dump_errors();
    assert_non_null(b);
    /* Every key of every instance has the same value and text. */
    for (size_t s = 0; s < schema.n_sections; s++) {
        const scn_section *sec = &schema.sections[s];
        size_t n = sec->named ? scn_count(a, sec->name) : 1;
        assert_int_equal(n, sec->named ? scn_count(b, sec->name) : 1);
        for (size_t i = 0; i < n; i++) {
            const scn_instance *ia = sec->named ? scn_nth(a, sec->name, i) : scn_single(a, sec->name);
            const scn_instance *ib = sec->named ? scn_nth(b, sec->name, i) : scn_single(b, sec->name);
            assert_string_equal(scn_name(ia), scn_name(ib));
            for (size_t k = 0; k < sec->n_keys; k++) {
                const scn_key *key = &sec->keys[k];
                assert_string_equal(scn_str(ia, key->key), scn_str(ib, key->key));
                assert_int_equal(scn_has(ia, key->key), scn_has(ib, key->key));
                if (!scn_has(ia, key->key))
                    continue;
                switch (key->type) {
                case SCN_INT: assert_true(scn_int(ia, key->key) == scn_int(ib, key->key)); break;
                case SCN_REAL: assert_true(scn_real(ia, key->key) == scn_real(ib, key->key)); break;
                case SCN_MONEY: assert_true(scn_fen(ia, key->key) == scn_fen(ib, key->key)); break;
                case SCN_BOOL: assert_int_equal(scn_bool(ia, key->key), scn_bool(ib, key->key)); break;
                case SCN_DATE: assert_int_equal(scn_date(ia, key->key), scn_date(ib, key->key)); break;
                default: break;
                }
            }
        }
    }
    assert_true(scn_fen(scn_find(b, "airdrop", "luohu"), "total_yuan") == 1);
    assert_true(scn_real(scn_single(b, "knobs"), "volume") == 0.3);
    assert_string_equal(scn_str(scn_single(b, "run"), "label"), "a; b # c");
    scn_free(a);
    scn_free(b);
}

static void test_scenario_describe(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_true(scn_describe(&schema, NULL, false, f));
    fclose(f);
    assert_non_null(strstr(buf, "[run]"));
    assert_non_null(strstr(buf, "[city.NAME]"));
    assert_non_null(strstr(buf, "[airdrop.NAME]"));
    assert_non_null(strstr(buf, "budget_yuan"));
    assert_non_null(strstr(buf, "0.01..100")); /* fee_yuan's range, in yuan */
    assert_non_null(strstr(buf, "fast|slow|exact"));
    assert_non_null(strstr(buf, "(required)"));
    assert_non_null(strstr(buf, "2019-01-01..2035-12-31"));
    free(buf);

    f = open_memstream(&buf, &len);
    assert_true(scn_describe(&schema, NULL, true, f));
    fclose(f);
    assert_non_null(strstr(buf, "# Scenario reference"));
    assert_non_null(strstr(buf, "## [city.NAME]"));
    assert_non_null(strstr(buf, "| `days` | integer | 90 | 1..1000 | days | number of days |"));
    assert_non_null(strstr(buf, "| `total_yuan` | yuan | (required) |"));
    free(buf);

    f = open_memstream(&buf, &len);
    assert_true(scn_describe(&schema, "city", false, f));
    fclose(f);
    assert_non_null(strstr(buf, "[city.NAME]"));
    assert_null(strstr(buf, "[run]"));
    free(buf);

    f = open_memstream(&buf, &len);
    assert_false(scn_describe(&schema, "nosuch", false, f));
    fclose(f);
    free(buf);
}

static void test_scenario_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(scn_edit_distance("seed", "seed"), 0);
    assert_int_equal(scn_edit_distance("sede", "seed"), 2);
    assert_int_equal(scn_edit_distance("suzho", "suzhou"), 1);
    assert_int_equal(scn_edit_distance("", "abc"), 3);
    assert_int_equal(scn_edit_distance("Days", "days"), 0); /* case-insensitive */
    assert_int_equal(scn_edit_distance("kitten", "sitting"), 3);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_scenario_defaults_filled),
        T(test_scenario_values_and_lines),
        T(test_scenario_bool_spellings),
        T(test_scenario_unknown_key_suggests),
        T(test_scenario_unknown_section_suggests),
        T(test_scenario_named_section_rules),
        T(test_scenario_types),
        T(test_scenario_ranges),
        T(test_scenario_money),
        T(test_scenario_money_list),
        T(test_scenario_dates),
        T(test_scenario_duplicate_keys),
        T(test_scenario_reports_every_error),
        T(test_scenario_text_checks),
        T(test_scenario_set_overrides),
        T(test_scenario_value_syntax),
        T(test_scenario_empty_derived_value),
        T(test_scenario_str_of_any_type),
        T(test_scenario_write_resolved_round_trip),
        T(test_scenario_describe),
        T(test_scenario_edit_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
