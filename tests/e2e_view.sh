#!/bin/sh
# e2e_view.sh: the view commands end to end, headless (no display needed).
# - replay --record pipes whole frames to the encoder, or says ffmpeg is missing;
# - snapshot of a results folder and of a scenario write valid PNGs, the
#   same PNG for the same date;
# - replay with SDL_VIDEODRIVER=dummy and --exit-at-end exits 0, at 1024 days/s too;
# - run --view (dummy video, --exit-at-end) writes CSV byte-identical to
#   the same run without --view;
# - run --view without any display fails with exit 1 and a clear message,
#   leaving no results folder; bad snapshot arguments exit 2.
set -u
E2E_FAIL_FAST=1
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_view
T=$work
SETS="--set scenario.end=2020-04-30"

"$BIN" run scenarios/default.ini $SETS --out "$T/plain" -q || fail "plain run"

is_png() { # FILE: the PNG signature and a non-empty file
    [ -s "$1" ] || return 1
    [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

"$BIN" snapshot "$T/plain" --date 2020-04-20 --out "$T/a.png" || fail "snapshot of results"
is_png "$T/a.png" || fail "snapshot of results is not a PNG"
"$BIN" snapshot "$T/plain/" --out "$T/last.png" --size 800x450 --metric ecny_share || fail "snapshot, last day"
is_png "$T/last.png" || fail "snapshot of the last day is not a PNG"
"$BIN" snapshot scenarios/default.ini $SETS --date 2020-04-20 --out "$T/s.png" || fail "snapshot of scenario"
is_png "$T/s.png" || fail "snapshot of scenario is not a PNG"
# One picture per date: the scenario simulated in memory to a date and the
# results folder at that date give the same PNG (same axes and colour rules).
for m in adoption ecny_share; do
    "$BIN" snapshot "$T/plain" --date 2020-04-20 --metric $m --size 960x540 --out "$T/r-$m.png" || fail "snapshot r $m"
    "$BIN" snapshot scenarios/default.ini $SETS --date 2020-04-20 --metric $m --size 960x540 --out "$T/s-$m.png" \
        || fail "snapshot s $m"
    cmp -s "$T/r-$m.png" "$T/s-$m.png" || fail "snapshots of 2020-04-20 ($m) differ between results and scenario"
done
# The same with flows (arcs), KPIs and defaults filled in the manifest.
CSETS="--set scenario.end=2022-06-30"
"$BIN" run scenarios/chengdu_chongqing_circle.ini $CSETS --out "$T/circle" -q || fail "circle run"
"$BIN" snapshot "$T/circle" --date 2022-05-15 --size 960x540 --out "$T/rc.png" || fail "snapshot circle results"
"$BIN" snapshot scenarios/chengdu_chongqing_circle.ini $CSETS --date 2022-05-15 --size 960x540 --out "$T/sc.png" \
    || fail "snapshot circle scenario"
cmp -s "$T/rc.png" "$T/sc.png" || fail "snapshots of 2022-05-15 (circle) differ between results and scenario"
# replay --record: without an encoder a clear message and exit 1; with one
# (a stand-in that counts the bytes it is given), whole frames at 30 per
# second: 30 days at 30 days/s is 30 frames, then the last day held 1 s.
env -u ECNYSIM_FFMPEG PATH=/nonexistent "$BIN" replay "$T/plain" --record "$T/v.mp4" 2>"$T/err"
[ $? -eq 1 ] || fail "replay --record without ffmpeg should exit 1"
grep -q "ffmpeg" "$T/err" || fail "replay --record without ffmpeg: message"
printf '#!/bin/sh\nfor last; do :; done\nwc -c > "$last"\n' > "$T/ffmpeg"
chmod +x "$T/ffmpeg"
ECNYSIM_FFMPEG="$T/ffmpeg" "$BIN" replay "$T/plain" --record "$T/v.mp4" --speed 30 --size 480x320 2>/dev/null \
    || fail "replay --record"
[ "$(cat "$T/v.mp4")" -eq $((60 * 480 * 320 * 4)) ] || fail "replay --record: $(cat "$T/v.mp4") bytes, not 60 frames"
ECNYSIM_FFMPEG="$T/ffmpeg" "$BIN" replay "$T/plain" --record "$T/v.avi" 2>/dev/null
[ $? -eq 2 ] || fail "replay --record to .avi should exit 2"
# The scenario snapshot simulates in memory: it leaves no results folder.
[ ! -e "$T/s" ] || fail "snapshot wrote results"

"$BIN" snapshot "$T/plain" --date 2021-01-01 --out "$T/x.png" 2>"$T/err"
[ $? -eq 2 ] || fail "a date outside the run should exit 2"
grep -q "not in" "$T/err" || fail "date outside the run: message"
"$BIN" snapshot "$T/plain" --date 2020-02-30 --out "$T/x.png" 2>/dev/null
[ $? -eq 2 ] || fail "an impossible date should exit 2"
"$BIN" snapshot "$T/plain" 2>/dev/null
[ $? -eq 2 ] || fail "snapshot without --out should exit 2"
"$BIN" replay "$T/nowhere" 2>/dev/null
[ $? -eq 2 ] || fail "replay of a missing folder should exit 2"

SDL_VIDEODRIVER=dummy timeout 60 "$BIN" replay "$T/plain" --speed 256 --exit-at-end || fail "replay (dummy video)"
# The fastest speed once divided by a zero interval (exit 136).
SDL_VIDEODRIVER=dummy timeout 60 "$BIN" replay "$T/plain" --speed 1024 --exit-at-end || fail "replay --speed 1024"
"$BIN" replay "$T/plain" --speed 2048 2>/dev/null
[ $? -eq 2 ] || fail "replay --speed beyond the maximum should exit 2"
"$BIN" run scenarios/default.ini $SETS --out "$T/nospeed" --speed 8 2>"$T/err"
[ $? -eq 2 ] || fail "run --speed without --view should exit 2"
grep -q -- "--view" "$T/err" || fail "run --speed without --view: message"

SDL_VIDEODRIVER=dummy timeout 120 "$BIN" run scenarios/default.ini $SETS --out "$T/view" -q --view --speed 1024 --exit-at-end \
    || fail "run --view (dummy video)"
for f in "$T"/plain/*.csv; do
    cmp "$f" "$T/view/$(basename "$f")" || fail "$(basename "$f") differs with --view"
done

# Without a display SDL would fall back to an invisible offscreen window: the
# view refuses it unless SDL_VIDEODRIVER asks for it.
for drv in x11 unset; do
    if [ $drv = unset ]; then
        env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 60 "$BIN" run scenarios/default.ini $SETS \
            --out "$T/nodisp" --view 2>"$T/err"
    else
        env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=$drv timeout 60 "$BIN" run scenarios/default.ini $SETS \
            --out "$T/nodisp" --view 2>"$T/err"
    fi
    rc=$?
    [ $rc -eq 1 ] || fail "run --view without a display ($drv) should exit 1, not $rc"
    grep -q "display" "$T/err" || fail "no-display message ($drv): $(cat "$T/err")"
    [ ! -e "$T/nodisp" ] || fail "run --view without a display ($drv) wrote results"
done
echo "e2e_view: ok"
