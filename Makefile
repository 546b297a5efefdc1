# ecnysim: one non-recursive Makefile. `make help` lists the targets.
#
# Objects live under build/<mode>/ (release, debug, sanitize); headers are
# tracked with -MMD -MP. Every .c in sim/ and models/ goes into libecnysim.a,
# which the program (cli/*.c), the tests and the benchmarks link. The view
# (viz/ and its command glue cli/view.c) is a plug-in,
# ecnysim-view.so beside the program, loaded only by the view commands: the
# program itself does not load SDL's seventy-odd libraries at every start.

MODE    ?= release
BUILD   ?= build/$(MODE)
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc

PKGS       := gsl sdl2 SDL2_ttf SDL2_image
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs gsl 2>/dev/null)
VIEW_LIBS   = $(shell pkg-config --libs sdl2 SDL2_ttf SDL2_image 2>/dev/null)

WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-format-truncation
CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DECNYSIM_VERSION=\"$(VERSION)\"
# DIST_CPPFLAGS=-DECNYSIM_MPI (set by `make mpi`, with CC=mpicc) builds sim/dist.c over Open MPI.
CPPFLAGS += $(DIST_CPPFLAGS)
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(MODE),release)
  OPT := -O2 -g
else ifeq ($(MODE),debug)
  OPT := -O0 -g3 -DECNYSIM_DEBUG=1
else ifeq ($(MODE),sanitize)
  OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DECNYSIM_DEBUG=1
  LDSAN := -fsanitize=address,undefined
else ifeq ($(MODE),fuzz)
  # libFuzzer harnesses (make fuzz): clang only; the harness link adds -fsanitize=fuzzer
  OPT := -O1 -g -Wno-unknown-warning-option -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DECNYSIM_DEBUG=1
  LDSAN := -fsanitize=address,undefined
else
  $(error MODE must be release, debug, sanitize or fuzz, not '$(MODE)')
endif

CFLAGS  += $(WARN) $(OPT) $(PKG_CFLAGS) -MMD -MP
LDLIBS  += $(LDSAN) $(PKG_LIBS) -lcsv -liniparser -lz -lm

LIB_SRC   := $(wildcard sim/*.c models/*.c)
VIZ_SRC   := $(wildcard viz/*.c)
VIZ_OBJ   := $(VIZ_SRC:%.c=$(BUILD)/pic/%.o)
VIEW_OBJ  := $(VIZ_OBJ) $(BUILD)/pic/cli/view.o
VIEW_SO   := $(BUILD)/ecnysim-view.so
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libecnysim.a
BIN       := $(BUILD)/ecnysim
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Test-only tools the end-to-end scripts call (tests/tool_*.c, a main each),
# linked by the test programs' rule; run-all.sh runs only test_* itself.
TOOL_BIN  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/tool_*.c))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: default mpi all deps run test unit check valgrind fuzz fuzz-build bench validate calibrate install uninstall clean help docs

# Plain `make` installs what is missing (or says in one line what to type), then builds.
.DEFAULT_GOAL := default
## default (plain make): install missing Debian packages, then build ./ecnysim
default: deps
	@$(MAKE) --no-print-directory all

ifeq ($(BUILD),build/release)
all: $(BIN) $(VIEW_SO) ecnysim
else
all: $(BIN) $(VIEW_SO)
endif

## deps: install missing Debian packages (apt-get, as root or through sudo)
deps:
	@sh tools/install-deps.sh

# The top-level ./ecnysim is a link to the release binary, for the README's examples.
ecnysim: $(BIN)
	@ln -sf $(BIN) ecnysim

CLI_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(filter-out cli/view.c,$(wildcard cli/*.c)))

# -rdynamic: the view plug-in calls back into the program (cli_run, the world).
$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) -rdynamic -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(VIEW_SO): $(VIEW_OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LDSAN) $(VIEW_LIBS) -liniparser -lm

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

# The view's unit tests (tests/test_viz*.c) link the drawing code itself and
# their SDL fixture (tests/support/viz_*.c), with SDL; no other test does.
VIZ_TEST_BIN := $(filter $(BUILD)/tests/test_viz%,$(TEST_BIN))
VIZ_TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/viz_*.c))
$(VIZ_TEST_BIN): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(VIZ_TEST_SUPPORT_OBJ) $(VIZ_OBJ) $(LIB)
	$(CC) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(VIEW_LIBS) -lcmocka

# The same objects linked with malloc/calloc/realloc/aligned_alloc wrapped by
# sim/alloc.c: ECNYSIM_FAIL_ALLOC=N fails the Nth (tests/e2e_alloc_faults.sh).
FAULT_BIN := $(BUILD)/ecnysim-faults
$(FAULT_BIN): $(CLI_OBJ) $(LIB)
	$(CC) -rdynamic -o $@ $^ $(LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=strdup $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# An installed ecnysim finds the installed data by default (models/data.c);
# the stamp rebuilds data.o when PREFIX changes (make install PREFIX=...).
PREFIX_STAMP := $(BUILD)/prefix$(subst /,_,$(PREFIX)).stamp
$(BUILD)/models/data.o: CPPFLAGS += -DECNYSIM_DATA_DIR=\"$(PREFIX)/share/ecnysim/data\"
$(BUILD)/models/data.o: $(PREFIX_STAMP)
$(PREFIX_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/prefix*.stamp
	@touch $@

# Test programs also link the shared test support (tests/support/: fixtures).
TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tests/support/viz_%.c,$(wildcard tests/support/*.c)))
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(LIB)
	$(CC) -o $@ $^ $(LDFLAGS) $(LDLIBS) -lcmocka

# The test and benchmark objects are made by a chain of pattern rules: keep
# them (not deleted as intermediates) so `make test` does not recompile them.
.SECONDARY: $(TEST_BIN:=.o) $(TOOL_BIN:=.o) $(TEST_SUPPORT_OBJ) $(VIZ_TEST_SUPPORT_OBJ) $(BENCH_BIN:=.o) $(BUILD)/tests/fuzz/fuzz_scenario.o $(BUILD)/tests/fuzz/fuzz_table.o

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) -o $@ $^ $(LDFLAGS) $(LDLIBS)

## run: install what is missing, build, run the default scenario into results/default/
run: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) run scenarios/default.ini

## test: install what is missing, build, run every test (unit, end-to-end, bad inputs)
test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(TOOL_BIN) $(FAULT_BIN)
	@sh tests/run-all.sh $(BUILD)

## unit: build and run the cmocka unit-test programs only (tests/test_*.c)
unit: deps
	@$(MAKE) --no-print-directory $(TEST_BIN)
	@sh tests/run-all.sh $(BUILD) unit

## check: the same tests under AddressSanitizer and UndefinedBehaviorSanitizer
check: deps
	@$(MAKE) --no-print-directory MODE=sanitize all-sanitize
all-sanitize: $(BIN) $(VIEW_SO) $(TEST_BIN) $(TOOL_BIN) $(FAULT_BIN)
	@ASAN_OPTIONS=detect_leaks=1 sh tests/run-all.sh $(BUILD)

## valgrind: the test scenarios under valgrind memcheck (debug build)
valgrind: deps
	@$(MAKE) --no-print-directory MODE=debug all-valgrind
all-valgrind: $(BIN) $(VIEW_SO)
	@sh tests/run-valgrind.sh $(BUILD)

## fuzz: libFuzzer (clang) on the scenario and data loaders, FUZZ_SECONDS (60) each
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build/fuzz
fuzz: deps
	@ECNYSIM_PKGS="clang libclang-rt-14-dev" sh tools/install-deps.sh
	@$(MAKE) --no-print-directory MODE=fuzz CC=clang BUILD=$(FUZZ_BUILD) fuzz-build
	@sh tests/fuzz/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
fuzz-build: $(BUILD)/fuzz_scenario $(BUILD)/fuzz_table
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB)
	$(CC) -fsanitize=fuzzer -o $@ $^ $(LDFLAGS) $(LDLIBS)

## mpi: install Open MPI if missing, build build/mpi-release/ecnysim for mpirun (docs/distributed.md)
MPI_BUILD ?= build/mpi-release
mpi: deps
	@ECNYSIM_PKGS="libopenmpi-dev openmpi-bin" sh tools/install-deps.sh
	@$(MAKE) --no-print-directory MODE=release CC=mpicc BUILD=$(MPI_BUILD) DIST_CPPFLAGS=-DECNYSIM_MPI $(MPI_BUILD)/ecnysim

## bench: build and run the benchmarks, printing their figures (installs `time` if missing)
bench: deps
	@ECNYSIM_PKGS="time" sh tools/install-deps.sh
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh bench/run-bench.sh $(BUILD)

# The behavioural keys fitted jointly to data/targets.csv (docs/calibration.md).
CAL_KEYS := adoption.awareness_promo,adoption.awareness_wom,adoption.whitelist_start_pct,adoption.whitelist_days,adoption.invite_aware_rate,adoption.download_rate,adoption.download_wom,adoption.ceiling_pct,adoption.extra_wallet_rate,adoption.visitor_wallet_pct,adoption.usefulness_weight,adoption.engaged_pct,adoption.dormancy_rate,payments.ecny_choice,payments.reach_half_pct,merchants.accept_base,merchants.demand_weight,merchants.onboard_per_million,firms.adopt_base,firms.adopt_peer,firms.b2b_per_day,firms.engaged_pct,firms.engage_rate,government.ecny_pct,adoption.reactivation_rate,firms.tax_ecny_pct,payments.casual_pct,merchants.gdp_elasticity,adoption.province_rollout_days,payments.keep_yuan,merchants.platform_factor
CAL_EVALS ?= 400
ABC_POINTS ?= 300

## validate: every published figure of data/targets.csv beside the model (seeds 1-3), then the leave-one-area-out table
validate: deps
	@$(MAKE) --no-print-directory all
	@./$(BIN) targets --seeds 1,2,3 --jobs 2 --quiet; status=$$?; \
	 ./$(BIN) targets --seeds 1 --set scenario.scale=2000 --fit $(CAL_KEYS) --max-evals 1 --loao --loao-evals 20 --quiet \
	   | sed -n '/leave one area out/,$$p'; exit $$status

## calibrate: refit the defaults jointly to data/targets.csv (models/calibrated.h), the ensemble data/posterior.csv and the model error data/model_error.csv
# The fit runs over the seeds the table is scored on (a fit to fewer seeds chases their noise);
# the ensemble is drawn around the new defaults, one seed a point.
calibrate: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) targets --seeds 1,2,3 --jobs 2 --fit $(CAL_KEYS) --max-evals $(CAL_EVALS) \
	  --write-defaults models/calibrated.h --quiet; true
	@$(MAKE) --no-print-directory docs
	./$(BIN) targets --seeds 1 --fit $(CAL_KEYS) --max-evals 1 --abc $(ABC_POINTS) --posterior data/posterior.csv --quiet; true
	./$(BIN) targets --seeds 1,2,3 --jobs 2 --markdown docs/calibration-table.md \
	  --model-error data/model_error.csv --quiet; true

## docs: regenerate docs/scenario-reference.md from the scenario schema
docs: all
	./$(BIN) describe --markdown > docs/scenario-reference.md

## install: copy the program, scenarios and data under $(DESTDIR)$(PREFIX)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ecnysim/data $(DESTDIR)$(PREFIX)/share/ecnysim/scenarios
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ecnysim
	install -d $(DESTDIR)$(PREFIX)/lib/ecnysim
	install -m 644 $(VIEW_SO) $(DESTDIR)$(PREFIX)/lib/ecnysim/ecnysim-view.so
	install -m 644 data/*.csv $(DESTDIR)$(PREFIX)/share/ecnysim/data/
	install -m 644 scenarios/*.ini $(DESTDIR)$(PREFIX)/share/ecnysim/scenarios/

## uninstall: remove what install copied under $(DESTDIR)$(PREFIX)
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ecnysim
	rm -rf $(DESTDIR)$(PREFIX)/lib/ecnysim
	rm -rf $(DESTDIR)$(PREFIX)/share/ecnysim

## clean: remove build outputs (results/ is left alone)
clean:
	rm -rf build ecnysim

## help: this list
help:
	@echo "ecnysim make targets:"
	@sed -n 's/^## /  /p' $(MAKEFILE_LIST)
	@echo "  variables: MODE=release|debug|sanitize|fuzz BUILD=dir PREFIX=$(PREFIX) DESTDIR= FUZZ_SECONDS=60"

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(VIEW_OBJ:.o=.d) $(TEST_SUPPORT_OBJ:.o=.d) $(VIZ_TEST_SUPPORT_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d)
