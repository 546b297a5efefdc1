#!/bin/sh
# e2e_mpi.sh: a run split over MPI ranks writes the same bytes as one process.
#
# Builds the MPI binary with `make mpi` (which installs Open MPI when missing;
# when it cannot, prints SKIP and passes), then runs a five-city scenario with
# cross-city flows (the Chengdu-Chongqing circle, Suzhou-Shanghai, and
# Shenzhen with no flow) at 1, 2 and 4 ranks and compares daily.csv,
# ledger.csv and flows.csv byte for byte with each other and with the serial
# (non-MPI) binary; also scenarios/chengdu_chongqing_circle.ini at 2 ranks.
# Then checks that flows are real: without the [flow] sections the receiving
# cities' rows change and Shenzhen's do not. Then a batch (a 3 x 2 sweep, 2
# replications: 12 runs) spread over 1, 2 and 3 ranks (and 2 ranks x --jobs 2)
# gives the serial --jobs 1 batch's runs.csv, all_daily.csv, summary.csv and
# run-XXXX/daily.csv byte for byte; a run failing on rank 1 (a data_dir that
# the plan check accepts but the run cannot load) fails the batch and leaves
# no results folder. About 20-40 s.
set -u
E2E_FAIL_FAST=1
. "$(dirname "$0")/support/e2e.sh"
e2e_setup e2e_mpi
T=$work
MPI_BUILD=${ECNYSIM_MPI_BUILD:-build/mpi-release}

if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
    if ! ECNYSIM_PKGS="libopenmpi-dev openmpi-bin" sh tools/install-deps.sh >/dev/null 2>&1 ||
       ! command -v mpicc >/dev/null 2>&1; then
        echo "SKIP e2e_mpi: Open MPI is not installed and cannot be installed here (make mpi needs root or sudo and apt)"
        exit 0
    fi
fi
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s MPI_BUILD="$MPI_BUILD" mpi >/dev/null 2>&1 || fail "make mpi did not build $MPI_BUILD/ecnysim"
MBIN="$MPI_BUILD/ecnysim"
[ -x "$MBIN" ] || fail "no $MBIN after make mpi"
[ -x "$BIN" ] || fail "no serial binary $BIN (set ECNYSIM_BIN)"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# No network needed between ranks of one machine.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none

cat >"$T/five.ini" <<'EOF'
[scenario]
name = five
start = 2022-05-01
days = 60
seed = 99
scale = 2000

[city.chengdu]
[city.chongqing]
[city.suzhou]
[city.shanghai]
[city.shenzhen]

[flow.cd_cq]
from = chengdu
to = chongqing
kind = travel
travellers_per_1000 = 20
ecny_pct = 60

[flow.cq_cd_family]
from = chongqing
to = chengdu
kind = remittance
remittances_per_1000 = 5

[flow.sz_sh_supply]
from = suzhou
to = shanghai
kind = b2b
payments_per_firm = 0.2

[flow.sh_sz]
from = shanghai
to = suzhou
kind = travel
travellers_per_1000 = 10
EOF
sed '/^\[flow/,$d' "$T/five.ini" >"$T/none.ini"

run() { # run OUT RANKS SCENARIO [args]: RANKS 0 = the serial binary
    out=$1; r=$2; s=$3; shift 3
    if [ "$r" = 0 ]; then
        "$BIN" run "$s" --out "$T/$out" --quiet "$@" >"$T/$out.log" 2>&1
    else
        mpirun -np "$r" "$MBIN" run "$s" --out "$T/$out" --quiet "$@" >"$T/$out.log" 2>&1
    fi || { cat "$T/$out.log"; fail "run $out ($r ranks) failed"; }
}
same() { # same A B: the CSV files of two results folders are identical
    for f in daily.csv ledger.csv flows.csv; do
        [ -f "$T/$1/$f" ] || fail "$1 has no $f"
        cmp -s "$T/$1/$f" "$T/$2/$f" || { diff "$T/$1/$f" "$T/$2/$f" | head -5; fail "$f differs: $1 vs $2"; }
    done
}

run serial 0 "$T/five.ini"
for r in 1 2 4; do
    run "np$r" "$r" "$T/five.ini"
    same serial "np$r"
done
echo "ok: five cities byte-identical serial = 1 = 2 = 4 ranks"

run circle_serial 0 scenarios/chengdu_chongqing_circle.ini --set scenario.scale=4000 --set scenario.end=2022-06-15
run circle_np2 2 scenarios/chengdu_chongqing_circle.ini --set scenario.scale=4000 --set scenario.end=2022-06-15
same circle_serial circle_np2
echo "ok: chengdu_chongqing_circle byte-identical serial = 2 ranks"

# Flows are real: the received values appear and the receivers' rows change.
awk -F, 'NR > 1 && $6 > 0 { n++ } END { exit !(n > 0) }' "$T/serial/flows.csv" ||
    fail "no flow received any value"
run noflow 0 "$T/none.ini"
for c in chongqing chengdu shanghai suzhou; do
    grep ",$c," "$T/serial/daily.csv" >"$T/with.$c"
    grep ",$c," "$T/noflow/daily.csv" >"$T/without.$c"
    ! cmp -s "$T/with.$c" "$T/without.$c" || fail "removing the flows left $c's rows unchanged"
done
grep ",shenzhen," "$T/serial/daily.csv" >"$T/with.sz"
grep ",shenzhen," "$T/noflow/daily.csv" >"$T/without.sz"
cmp -s "$T/with.sz" "$T/without.sz" || fail "removing the flows changed shenzhen, which has none"
echo "ok: flows change the receiving cities' rows and leave shenzhen's alone"

# A scenario with programmes runs whole on rank 0, with the same bytes.
run prg_serial 0 scenarios/chengdu_2021.ini --set scenario.scale=4000 --set scenario.end=2021-03-15
run prg_np2 2 scenarios/chengdu_2021.ini --set scenario.scale=4000 --set scenario.end=2021-03-15
for f in daily.csv ledger.csv programmes.csv; do
    cmp -s "$T/prg_serial/$f" "$T/prg_np2/$f" || fail "$f of a programme scenario differs at 2 ranks"
done
grep -q "rank 0" "$T/prg_np2.log" || fail "no note that the programme scenario ran on rank 0"
echo "ok: a programme scenario runs on rank 0 with the same bytes"

# Every programme kind counts, not a list kept beside programme.c's: an
# offline trial alone (two cities) also runs whole on rank 0.
{
    sed '/^\[flow/,$d' "$T/five.ini"
    printf '[offline.t]\ncity = suzhou\nstart = 2022-05-05\nend = 2022-05-25\nparticipants = 20000\nmerchants = 500\n'
} >"$T/offline.ini"
run off_serial 0 "$T/offline.ini"
run off_np2 2 "$T/offline.ini"
for f in daily.csv programmes.csv; do
    cmp -s "$T/off_serial/$f" "$T/off_np2/$f" || fail "$f of an offline-trial scenario differs at 2 ranks"
done
grep -q '^t,offline,suzhou,offline_payments,[1-9]' "$T/off_np2/programmes.csv" || fail "the offline trial made no payment"
echo "ok: an offline-trial scenario runs on rank 0 with the same bytes"

# A batch spreads its runs over the ranks (run i on rank i mod R); rank 0
# assembles the combined files in run order, as the serial batch does.
cat >"$T/sweep.ini" <<'EOF'
[scenario]
name = sweep
start = 2022-05-01
days = 30
seed = 7
scale = 4000

[city.suzhou]
[city.shenzhen]
EOF
SWEEP="--vary adoption.open_rate=0.01,0.02,0.03 --vary city.shenzhen.promotion=1:2:1 --replications 2"
# shellcheck disable=SC2086
run sw_serial 0 "$T/sweep.ini" $SWEEP --jobs 1
[ -f "$T/sw_serial/run-0012/daily.csv" ] || fail "the serial sweep has no run-0012"
for case in 1 2 3 2j; do
    r=${case%j}; jobs=1
    [ "$case" = "$r" ] || jobs=2
    # shellcheck disable=SC2086
    run "sw_np$case" "$r" "$T/sweep.ini" $SWEEP --jobs $jobs
    for f in runs.csv all_daily.csv summary.csv; do
        cmp -s "$T/sw_serial/$f" "$T/sw_np$case/$f" || fail "$f of the sweep differs at $r ranks x $jobs jobs"
    done
    for d in "$T"/sw_serial/run-*; do
        cmp -s "$d/daily.csv" "$T/sw_np$case/${d##*/}/daily.csv" ||
            fail "${d##*/}/daily.csv of the sweep differs at $r ranks x $jobs jobs"
    done
done
echo "ok: a 12-run sweep byte-identical serial --jobs 1 = 1 = 2 = 3 ranks (and 2 ranks x --jobs 2)"

# A parameter ensemble (--ensemble, data/posterior.csv) is a batch under MPI
# too: its members spread over the ranks, not one run split by cities that
# drops the ensemble.
run ens_serial 0 "$T/sweep.ini" --ensemble 3
run ens_np2 2 "$T/sweep.ini" --ensemble 3
[ -f "$T/ens_np2/run-0003/daily.csv" ] || fail "the ensemble at 2 ranks has no run-0003"
for f in runs.csv all_daily.csv summary.csv; do
    cmp -s "$T/ens_serial/$f" "$T/ens_np2/$f" || fail "$f of the ensemble differs at 2 ranks"
done
echo "ok: a 3-member ensemble byte-identical serial = 2 ranks"

# Run 2 (on rank 1) cannot load its data: the batch fails, no folder is left.
if mpirun -np 2 "$MBIN" run "$T/sweep.ini" --vary scenario.data_dir=data,no_such_data_dir --replications 1 \
    --out "$T/sw_fail" --quiet >"$T/sw_fail.log" 2>&1; then
    fail "a batch with a failing run on rank 1 exited 0"
fi
grep -q "run 2 .*failed" "$T/sw_fail.log" || { cat "$T/sw_fail.log"; fail "no note that run 2 failed"; }
for d in "$T"/sw_fail "$T"/.sw_fail*; do
    [ ! -e "$d" ] || fail "a failed batch left $d"
done
echo "ok: a run failing on rank 1 fails the batch and leaves no folder"
echo "PASS e2e_mpi"
