/* calendar.h: simulated time and civil dates (prefix cal_).
 *
 * Simulated time is int64 seconds from the scenario's start (midnight of its
 * start date, China Standard Time; no daylight saving, so every day has 86,400 s).
 * Dates are day numbers: days since 1970-01-01 in the proleptic Gregorian
 * calendar. Everything here is pure arithmetic, no time zone database.
 */
#ifndef ECNYSIM_CALENDAR_H
#define ECNYSIM_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#define CAL_DAY_S 86400
#define CAL_HOUR_S 3600
#define CAL_DATE_LEN 11 /* "YYYY-MM-DD" and the NUL */

/* Parses "YYYY-MM-DD" (exactly that form). Returns false for any other form
 * or an impossible date (2021-02-29, 2021-13-01). */
bool cal_parse_date(const char *text, int32_t *day_out);
/* Day number from year, month (1-12), day (1-31); no validation. */
int32_t cal_day_from_ymd(int year, int month, int day);
void cal_ymd(int32_t day, int *year, int *month, int *mday);
/* Writes "YYYY-MM-DD" into out (CAL_DATE_LEN bytes). */
void cal_format(int32_t day, char out[CAL_DATE_LEN]);
/* 0 = Monday ... 6 = Sunday. */
int cal_weekday(int32_t day);
int cal_days_in_month(int year, int month);

#endif
