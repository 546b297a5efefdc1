/* viz_series.h: the data the view draws (prefix viz_series_, viz_metric_).
 *
 * A series is the per-city, per-day history of the handful of daily.csv
 * columns the view shows, plus the cities' names and positions, programme
 * markers (date, label) and KPI rows (label, target, achieved). It is filled
 * either from the frames a live run publishes (viz_series_add_frame) or from
 * a finished run's CSV files (viz_load.h). It holds copies: a frame may be
 * dropped as soon as add_frame returns. The series knows nothing of SDL.
 *
 * Cost: one int64 per (day, city, column); growth doubles the day capacity,
 * so adding a day is amortised O(cities x columns).
 */
#ifndef ECNYSIM_VIZ_SERIES_H
#define ECNYSIM_VIZ_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/snapshot.h"
#include "viz/viz_geo.h"

#define VIZ_NAME_LEN 64
#define VIZ_MAX_CITIES 256
#define VIZ_MAX_MARKERS 64
#define VIZ_MAX_KPIS 16
#define VIZ_MAX_FLOWS 16

/* The daily.csv columns the view keeps; a column missing from the source reads 0. */
typedef enum {
    VIZ_COL_POPULATION,
    VIZ_COL_WALLETS,
    VIZ_COL_ACTIVE,
    VIZ_COL_RURAL,
    VIZ_COL_PAY_ECNY,
    VIZ_COL_VALUE_ECNY_FEN,
    VIZ_COL_PAY_APP,
    VIZ_COL_PAY_CASH,
    VIZ_COL_MERCHANTS,
    VIZ_COL_MERCH_ACCEPT,
    VIZ_COL_ADOPTERS,
    VIZ_COL_COUNT
} viz_col;

/* Map colour metrics, cycled with tab; each is a share in [0, 1]. */
typedef enum {
    VIZ_METRIC_ADOPTION,      /* residents with a wallet / population */
    VIZ_METRIC_ACTIVE,        /* active users / residents with a wallet */
    VIZ_METRIC_ECNY_SHARE,    /* e-CNY payments / all payments */
    VIZ_METRIC_ACCEPTANCE,    /* merchants accepting / merchants */
    VIZ_METRIC_RURAL,         /* rural residents with a wallet / residents with a wallet */
    VIZ_METRIC_COUNT
} viz_metric;

typedef struct {
    char name[VIZ_NAME_LEN];    /* area key, as in daily.csv's city column */
    char display[VIZ_NAME_LEN];
    double lat, lon;
} viz_city;

typedef struct {
    int32_t day; /* calendar day number */
    char label[VIZ_NAME_LEN];
} viz_marker;

typedef struct {
    char label[VIZ_NAME_LEN];
    double target, achieved;
} viz_kpi;

/* A cross-city flow ([flow.NAME]): from and to are area keys of cities. */
typedef struct {
    char name[VIZ_NAME_LEN];
    char from[VIZ_NAME_LEN], to[VIZ_NAME_LEN];
} viz_flow;

/* What a [kpi.NAME] section says (the scenario, or the manifest in replay). */
typedef struct {
    char name[VIZ_NAME_LEN];
    char city[VIZ_NAME_LEN];
    char metric[VIZ_NAME_LEN];
    const char *unit;        /* "yuan", "payments", "wallets", "loans", "merchants" */
    int32_t start, deadline; /* calendar days */
    double target;
} viz_kpi_info;

/* A KPI's state on a day, worst first. */
typedef enum { VIZ_KPI_MISSED, VIZ_KPI_BEHIND, VIZ_KPI_AT_RISK, VIZ_KPI_ON_TRACK, VIZ_KPI_MET } viz_kpi_state;

typedef struct viz_series viz_series;

/* An empty series; NULL when memory is short. Free with viz_series_free. */
viz_series *viz_series_alloc(void);
void viz_series_free(viz_series *s); /* NULL is fine */

/* Adds a city (if not yet known) and returns its index, or -1 when full. */
int viz_series_add_city(viz_series *s, const char *name, const char *display, double lat, double lon);
int viz_series_find_city(const viz_series *s, const char *name);
/* Appends the day of a frame: cities are added from frame->city, values
 * copied from the table "daily.csv", KPI rows from the table
 * "kpi_daily.csv" (columns target and achieved, one row per KPI labelled by
 * its row key, the KPI name), flow values from the table "flows.csv"
 * (sent_value_fen of known flows). A frame for a day already present is
 * ignored. False when memory is short (the series is unchanged). */
bool viz_series_add_frame(viz_series *s, const snap_frame *frame);
/* Appends an empty day (all columns 0) and returns its index, -1 on no memory. */
int viz_series_add_day(viz_series *s, int32_t day);
void viz_series_set(viz_series *s, int day_index, int city, viz_col col, int64_t value);
bool viz_series_add_marker(viz_series *s, int32_t day, const char *label);
/* Sets the KPI rows of a day (replacing earlier rows of that day). */
void viz_series_add_kpi(viz_series *s, int day_index, const char *label, double target, double achieved);

/* Chinese names by area key (data/city_names_zh.csv): set, and read for
 * city i ("" when unknown). */
void viz_series_set_zh(viz_series *s, const char *area, const char *zh);
const char *viz_series_city_zh(const viz_series *s, int city);

/* The map's geography: the series takes g (NULL: no map) and frees it. */
void viz_series_set_geo(viz_series *s, viz_geo *g);
const viz_geo *viz_series_geo(const viz_series *s); /* NULL when none */

/* KPI sections: added once each (false when full); found by name. */
bool viz_series_add_kpi_info(viz_series *s, const viz_kpi_info *info);
const viz_kpi_info *viz_series_kpi_info(const viz_series *s, const char *name); /* NULL: unknown */
/* The straight line from 0 at the KPI's start to the target at its
 * deadline, on the cursor day (the target after the deadline). */
double viz_kpi_pace(const viz_kpi_info *info, int32_t day);
/* The day the target is reached at the trend of the last 30 days up to
 * day index d (the day itself when met); -1 when the trend never reaches it. */
int32_t viz_kpi_projected(const viz_series *s, int d, int k);
/* Met; on track (at or above pace, or projected by the deadline); at risk
 * (at least 80% of pace); behind; missed (deadline passed). Without a
 * section for it: met, or behind. */
viz_kpi_state viz_kpi_status(const viz_series *s, int d, int k);
const char *viz_kpi_state_name(viz_kpi_state st);

/* Flows: added once each (index, or -1 when full); the yuan sent on a day
 * (flows.csv sent_value_fen / 100; 0 when not given). */
int viz_series_add_flow(viz_series *s, const char *name, const char *from, const char *to);
int viz_series_find_flow(const viz_series *s, const char *name);
int viz_series_flows(const viz_series *s);
const viz_flow *viz_series_flow(const viz_series *s, int i);
void viz_series_set_flow_value(viz_series *s, int day_index, int flow, double yuan);
double viz_series_flow_value(const viz_series *s, int day_index, int flow);

int viz_series_days(const viz_series *s);
int viz_series_cities(const viz_series *s);
const viz_city *viz_series_city(const viz_series *s, int city);
int32_t viz_series_day(const viz_series *s, int day_index); /* calendar day number */
/* Index of the last day <= day, or -1 when day is before the first. */
int viz_series_index_of(const viz_series *s, int32_t day);
int64_t viz_series_get(const viz_series *s, int day_index, int city, viz_col col);
/* The column summed over cities. */
int64_t viz_series_total(const viz_series *s, int day_index, viz_col col);
int viz_series_markers(const viz_series *s);
const viz_marker *viz_series_marker(const viz_series *s, int i);
int viz_series_kpis(const viz_series *s, int day_index);
const viz_kpi *viz_series_kpi(const viz_series *s, int day_index, int i);

/* The metric of a city on a day (city -1: all cities together); 0 when the
 * denominator is 0. */
/* Residents holding a wallet (the adopters column; wallets in older results). */
int64_t viz_series_holders(const viz_series *s, int d, int city);
double viz_metric_value(const viz_series *s, viz_metric m, int day_index, int city);
const char *viz_metric_name(viz_metric m);
/* The daily.csv column name of a column. */
const char *viz_col_name(viz_col c);

#endif
