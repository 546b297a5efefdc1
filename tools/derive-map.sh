#!/bin/sh
# derive-map.sh: derives the view's map of China, once, into data/:
#   data/china_land.csv   land mask: one row per 0.05-degree band of latitude,
#                         the runs of land cells (GSHHG low resolution, lakes as water)
#   data/china_lines.csv  coastline, national borders (GSHHG) and province
#                         outlines (R mapdata 'china'), Douglas-Peucker simplified
# Needs, only here and never at run time: gmt, gmt-gshhg-low, r-cran-mapdata
# (apt-get install -y gmt gmt-gshhg-low r-cran-mapdata). Rerun it to rebuild
# the files; the output is deterministic for given package versions.
# Usage: sh tools/derive-map.sh [OUTDIR]   (default: data)
set -eu
OUT=$(cd "${1:-data}" && pwd)
REGION=70/140/15/55     # lon west/east, lat south/north
STEP=0.05               # land mask cell, degrees
TOL=0.02                # Douglas-Peucker tolerance, degrees (about 2 km)
for tool in gmt Rscript; do
    command -v $tool >/dev/null || { echo "derive-map: $tool not found: apt-get install -y gmt gmt-gshhg-low r-cran-mapdata" >&2; exit 1; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"   # gmt leaves gmt.history in the working folder
GMTV=$(gmt --version)
GSHHG=$(dpkg-query -W -f='${Version}' gmt-gshhg-low 2>/dev/null || echo unknown)
MAPDATA=$(dpkg-query -W -f='${Version}' r-cran-mapdata 2>/dev/null || echo unknown)

# Land mask, pixel registered: cell (i, j) covers lon 70 + i*STEP .. +STEP,
# lat 15 + j*STEP .. +STEP. Land 1 (islands in lakes too), water 0.
gmt grdlandmask -R$REGION -I$STEP -r -Dl -A0/0/1 -N0/1/0/1/0 -G"$T/land.nc"
gmt grd2xyz "$T/land.nc" -C > "$T/land.txt"   # column, row (0 = north), value
{
    echo "# data/china_land.csv: land mask of China and its neighbours for the view's map."
    echo "# Derived by tools/derive-map.sh from GSHHG (low resolution, gmt-gshhg-low $GSHHG, GMT $GMTV),"
    echo "# Wessel and Smith, https://www.soest.hawaii.edu/pwessel/gshhg/, licence LGPL-3+."
    echo "# One row per band of latitude: lat_south (degrees), lon_west and step_deg of cell 0,"
    echo "# runs: space-separated FIRST+COUNT runs of land cells (cell i spans lon_west + i*step_deg)."
    echo "lat_south,lon_west,step_deg,runs"
    awk -v step=$STEP -v south=15 -v west=70 '
        { v[$2, $1] = $3; if ($1 > nc) nc = $1; if ($2 > nr) nr = $2 }
        END {
            for (r = nr; r >= 0; r--) {
                runs = ""; start = -1
                for (c = 0; c <= nc + 1; c++) {
                    land = (c <= nc && v[r, c] > 0.5)
                    if (land && start < 0) start = c
                    if (!land && start >= 0) { runs = runs (runs == "" ? "" : " ") start "+" (c - start); start = -1 }
                }
                printf "%.2f,%.2f,%.2f,%s\n", south + (nr - r) * step, west, step, runs
            }
        }' "$T/land.txt"
} > "$OUT/china_land.csv"

# Lines. Coast (islands of at least 100 km2) and national borders from GSHHG.
gmt coast -R$REGION -Dl -W -M -A100/0/1 > "$T/coast.txt"
gmt coast -R$REGION -Dl -N1 -M > "$T/border.txt"
# Province outlines: R's maps database 'china' (x, y with NA between polylines).
Rscript -e 'suppressMessages(library(mapdata)); m <- maps::map("china", plot = FALSE);
    for (i in seq_along(m$x)) if (is.na(m$x[i])) cat(">\n") else cat(sprintf("%.5f\t%.5f\n", m$x[i], m$y[i]))' \
    > "$T/province.txt"
for k in coast border province; do
    gmt simplify "$T/$k.txt" -T${TOL}d > "$T/$k.simple.txt"
done
{
    echo "# data/china_lines.csv: polylines of the view's map (kind coast, border or province)."
    echo "# Derived by tools/derive-map.sh, Douglas-Peucker simplified to $TOL degrees (gmt simplify):"
    echo "# coast and border from GSHHG low resolution (gmt-gshhg-low $GSHHG, GMT $GMTV), licence LGPL-3+;"
    echo "# province from R package mapdata 'china' (r-cran-mapdata $MAPDATA; Becker and Wilks, AT&T),"
    echo "# licence GPL-2. One point per row; a new line starts where the line number changes."
    echo "kind,line,lon,lat"
    for k in coast border province; do
        awk -v kind=$k 'BEGIN { line = 0 }
            /^>/ { if (n > 0) line++; n = 0; next }
            NF >= 2 { printf "%s,%d,%.3f,%.3f\n", kind, line, $1, $2; n++ }' "$T/$k.simple.txt"
    done
} > "$OUT/china_lines.csv"
echo "derive-map: $(grep -vc '^#' "$OUT/china_land.csv") land rows, $(grep -vc '^#' "$OUT/china_lines.csv") line points in $OUT" >&2
