/* viz_load.h: filling a viz_series from files (prefix viz_load_).
 *
 * Replay reads a finished run's folder: manifest.ini (iniparser) for the
 * scenario name, data_dir and each [city.NAME] area; data_dir/cities.csv for
 * the cities' display names and coordinates; daily.csv for the series; and
 * kpi_daily.csv when present (columns date, kpi, target, achieved: the
 * gauges). CSV is read only through sim/table
 * (libcsv). Nothing is simulated again.
 */
#ifndef ECNYSIM_VIZ_LOAD_H
#define ECNYSIM_VIZ_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"
#include "viz/viz_series.h"

/* Loads results folder dir into s (which should be empty). title receives the
 * scenario name. False with messages (FILE:LINE) in errs on any problem. */
bool viz_load_results(const char *dir, viz_series *s, char *title, size_t title_len, err_list *errs);

/* Adds programme events from an INI file (a scenario or a manifest) as
 * markers named in words: a lottery's draw ("Luohu lottery · 50,000 × 200
 * yuan"), rural outreach, its aid funds and coupons, a city's pilot start,
 * transit, payroll, loans, incentives, flows, KPI deadlines. Returns the
 * number added; a file that cannot be read adds none. */
int viz_load_markers(const char *ini_path, viz_series *s);

/* Adds the [kpi.NAME] sections of an INI file (a scenario or a manifest)
 * to s: city, metric (and its unit), target, start (default: the
 * scenario's start), deadline. Returns the number added. */
int viz_load_kpi_info(const char *ini_path, viz_series *s);

/* Adds the [flow.NAME] sections (from, to) of an INI file to s; returns
 * the number added. */
int viz_load_flows(const char *ini_path, viz_series *s);

/* Gives s the map of data_dir (viz_geo.h) and the cities' Chinese names
 * (city_names_zh.csv, when present). False, with the reason in errs, when
 * the map files are missing or bad: the view then draws no map. */
bool viz_load_geo(const char *data_dir, viz_series *s, err_list *errs);

#endif
