#!/bin/sh
# screenshots.sh: the view's real window under Xvfb, captured for docs/view.md,
# and the live view's speed beside the same run without a view.
#   docs/view-default.png        replay of scenarios/default.ini at 1280x720, last day
#   docs/view-national-full.png  replay of national_2021 in full screen (f) at 1920x1080
#   docs/view-kpi.png            replay of suzhou_2023_kpi at 1280x720: the KPI gauges
#   docs/view-flows.png          replay of chengdu_chongqing_circle at 1280x720: flows as arcs
# Then prints the achieved days/s of 'run --view --speed 1024' at 1280x720 with
# SDL's software renderer, and of the same run without --view.
# Needs xvfb, xdotool and imagemagick (apt-get install -y xvfb xdotool imagemagick).
# Usage: sh tools/screenshots.sh [BIN] [OUTDIR]   (defaults: ./ecnysim docs)
set -eu
BIN=${1:-./ecnysim}
OUT=${2:-docs}
for tool in xvfb-run xdotool import; do
    command -v $tool >/dev/null || { echo "screenshots: $tool not found: apt-get install -y xvfb xdotool imagemagick" >&2; exit 1; }
done
if [ -z "${SCREENSHOTS_IN_XVFB:-}" ]; then
    SCREENSHOTS_IN_XVFB=1 exec xvfb-run -a -s '-screen 0 1920x1080x24' sh "$0" "$BIN" "$OUT"
fi
export SDL_RENDER_DRIVER=software
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for s in default national_2021 suzhou_2023_kpi chengdu_chongqing_circle; do
    "$BIN" run scenarios/$s.ini -q --out "$T/$s"
done

# shot NAME DIR SECONDS [KEYS]: replays DIR, waits until it has played to its
# end, presses KEYS, captures the window into OUT/NAME.png and quits.
shot() {
    "$BIN" replay "$2" --speed 1024 &
    pid=$!
    win=""
    for _ in $(seq 50); do
        win=$(xdotool search --name "ecnysim" 2>/dev/null | head -n 1) && [ -n "$win" ] && break
        sleep 0.2
    done
    [ -n "$win" ] || { echo "screenshots: no window for $2" >&2; kill $pid; return 1; }
    xdotool windowfocus --sync "$win"   # keys go through XTEST to the focused window
    for k in ${4:-}; do
        # Full screen asks the window manager; bare Xvfb has none, so the
        # window is first given the whole screen, then f is pressed.
        if [ "$k" = f ]; then
            xdotool windowmove --sync "$win" 0 0
            xdotool windowsize --sync "$win" 1920 1080
            sleep 1
        fi
        xdotool key "$k"
        sleep 0.5
    done
    sleep "$3"
    # Full screen (no window manager under Xvfb): the screen is the window.
    case " ${4:-} " in *" f "*) import -window root "$OUT/$1.png" ;; *) import -window "$win" "$OUT/$1.png" ;; esac
    xdotool key q
    wait $pid || true
    echo "screenshots: $OUT/$1.png" >&2
}
shot view-default "$T/default" 4
shot view-national-full "$T/national_2021" 5 f
shot view-kpi "$T/suzhou_2023_kpi" 5
shot view-flows "$T/chengdu_chongqing_circle" 4

# Speed: the live view at 1024 days/s (as fast as it can), and no view.
for s in default national_2021; do
    days=$(awk -F' = ' '$1 == "days_run" { print $2 }' "$T/$s/manifest.ini")
    t0=$(date +%s.%N)
    "$BIN" run scenarios/$s.ini -q --out "$T/$s-plain"
    t1=$(date +%s.%N)
    "$BIN" run scenarios/$s.ini -q --out "$T/$s-view" --view --speed 1024 --exit-at-end
    t2=$(date +%s.%N)
    for f in "$T/$s-plain"/*.csv; do
        cmp -s "$f" "$T/$s-view/$(basename "$f")" || echo "screenshots: $(basename "$f") differs with --view" >&2
    done
    awk -v d="$days" -v a="$t0" -v b="$t1" -v c="$t2" -v s="$s" 'BEGIN {
        printf "%s: %d days; without a view %.2f s (%.0f days/s); live view 1280x720, software renderer, --speed 1024: %.2f s (%.1f days/s)\n",
               s, d, b - a, d / (b - a), c - b, d / (c - b) }'
done
