/* snapshot.h: what a run publishes at the end of every simulated day
 * (prefix snap_). The models fill it; the output writer turns it into CSV
 * rows and the view draws it. Readers never change it. Values are int64
 * (counts and fen), one row per city per table.
 */
#ifndef ECNYSIM_SNAPSHOT_H
#define ECNYSIM_SNAPSHOT_H

#include <stdint.h>

typedef struct {
    const char *name; /* area key, as in the scenario ("suzhou") */
    const char *display;
    double lat, lon;
} snap_city;

typedef struct {
    const char *file;          /* "daily.csv" */
    int n_columns;
    const char *const *column; /* names after date and city */
    const int64_t *value;      /* [row * n_columns + column] */
    int n_rows;                /* rows this day */
    const char *const *row_city; /* city column of each row */
    /* Appended (issue 5); all zero for an ordinary daily table. */
    const char *row_key;       /* name of the row_city column; NULL = "city" */
    int at_end;                /* 1: written once, after the last day run, with no
                                  date or row column: cells come from text */
    const char *const *text;   /* at_end tables: cells [row * n_columns + column] */
} snap_table;

#define SNAP_MAX_TABLES 8

typedef struct {
    int32_t day;        /* calendar day number of the day just finished */
    int32_t day_index;  /* 0 at the scenario start */
    int n_cities;
    const snap_city *city;
    int n_tables;
    snap_table table[SNAP_MAX_TABLES];
} snap_frame;

#endif
