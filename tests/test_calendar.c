/* test_calendar.c: unit tests of sim/calendar (cmocka).
 *
 * Known dates (the epoch, the first pilots, leap days), rejection of every
 * impossible or malformed date, weekdays, and a day-by-day round trip over a
 * century against an independent counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"

static void test_calendar_known_dates(void **state)
{
    (void)state;
    assert_int_equal(cal_day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(cal_day_from_ymd(1970, 1, 2), 1);
    assert_int_equal(cal_day_from_ymd(1969, 12, 31), -1);
    assert_int_equal(cal_day_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(cal_day_from_ymd(2020, 4, 1), 18353);
    assert_int_equal(cal_day_from_ymd(2019, 1, 1), 17897);
    int32_t d = 0;
    assert_true(cal_parse_date("2020-04-01", &d));
    assert_int_equal(d, 18353);
    assert_true(cal_parse_date("2022-12-31", &d));
    assert_int_equal(d, cal_day_from_ymd(2022, 12, 31));
    char out[CAL_DATE_LEN];
    cal_format(18353, out);
    assert_string_equal(out, "2020-04-01");
    cal_format(0, out);
    assert_string_equal(out, "1970-01-01");
    int y, m, md;
    cal_ymd(11016, &y, &m, &md);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(md, 29);
}

static void test_calendar_leap_years(void **state)
{
    (void)state;
    assert_int_equal(cal_days_in_month(2020, 2), 29);
    assert_int_equal(cal_days_in_month(2021, 2), 28);
    assert_int_equal(cal_days_in_month(2000, 2), 29); /* divisible by 400 */
    assert_int_equal(cal_days_in_month(1900, 2), 28); /* by 100, not 400 */
    assert_int_equal(cal_days_in_month(2100, 2), 28);
    assert_int_equal(cal_days_in_month(2024, 2), 29);
    assert_int_equal(cal_days_in_month(2021, 4), 30);
    assert_int_equal(cal_days_in_month(2021, 12), 31);
    assert_int_equal(cal_days_in_month(2021, 0), 0);
    assert_int_equal(cal_days_in_month(2021, 13), 0);
    int32_t d;
    assert_true(cal_parse_date("2020-02-29", &d));
    assert_true(cal_parse_date("2000-02-29", &d));
    assert_false(cal_parse_date("1900-02-29", &d));
    /* 2020 has 366 days, 2021 has 365. */
    assert_int_equal(cal_day_from_ymd(2021, 1, 1) - cal_day_from_ymd(2020, 1, 1), 366);
    assert_int_equal(cal_day_from_ymd(2022, 1, 1) - cal_day_from_ymd(2021, 1, 1), 365);
}

static void test_calendar_rejects_impossible_dates(void **state)
{
    (void)state;
    int32_t d = 12345;
    static const char *bad[] = {
        "2021-02-29", "2021-02-30", "2021-13-01", "2021-00-10", "2021-04-31", "2021-04-00", "2021-4-1",
        "21-04-01",   "2021/04/01", "2021-04-01x", " 2021-04-01", "",          "abcd-ef-gh", "2021-04-1a",
        "2021-04-01 ", "1899-12-31", "+021-04-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cal_parse_date(bad[i], &d))
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_int_equal(d, 12345); /* untouched on failure */
}

static void test_calendar_weekday(void **state)
{
    (void)state;
    int32_t d;
    assert_true(cal_parse_date("2020-04-01", &d));
    assert_int_equal(cal_weekday(d), 2); /* Wednesday (Monday = 0) */
    assert_int_equal(cal_weekday(0), 3); /* 1970-01-01, a Thursday */
    assert_int_equal(cal_weekday(-1), 2);
    assert_int_equal(cal_weekday(-7), 3);
    assert_true(cal_parse_date("2022-01-01", &d));
    assert_int_equal(cal_weekday(d), 5); /* Saturday */
    assert_true(cal_parse_date("2021-10-03", &d));
    assert_int_equal(cal_weekday(d), 6); /* Sunday */
}

static void test_calendar_round_trip_century(void **state)
{
    (void)state;
    /* Walk 1950-01-01 .. 2049-12-31 with an independent y/m/d counter. */
    int y = 1950, m = 1, md = 1;
    int32_t day = cal_day_from_ymd(1950, 1, 1);
    int weekday = cal_weekday(day);
    int checked = 0;
    while (y < 2050) {
        int ry, rm, rd;
        cal_ymd(day, &ry, &rm, &rd);
        if (ry != y || rm != m || rd != md)
            fail_msg("day %d: got %04d-%02d-%02d, expected %04d-%02d-%02d", day, ry, rm, rd, y, m, md);
        assert_int_equal(cal_day_from_ymd(y, m, md), day);
        char text[CAL_DATE_LEN], expect[32];
        cal_format(day, text);
        snprintf(expect, sizeof expect, "%04d-%02d-%02d", y, m, md);
        assert_string_equal(text, expect);
        int32_t parsed = 0;
        assert_true(cal_parse_date(text, &parsed));
        assert_int_equal(parsed, day);
        assert_int_equal(cal_weekday(day), weekday);
        weekday = (weekday + 1) % 7;
        day++;
        checked++;
        if (++md > cal_days_in_month(y, m)) {
            md = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(checked, 36524 + 1); /* 100 years with 25 leap days (2000 is one) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_known_dates),
        cmocka_unit_test(test_calendar_leap_years),
        cmocka_unit_test(test_calendar_rejects_impossible_dates),
        cmocka_unit_test(test_calendar_weekday),
        cmocka_unit_test(test_calendar_round_trip_century),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
