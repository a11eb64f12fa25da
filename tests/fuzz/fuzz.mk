# tests/fuzz/fuzz.mk - make fuzz, asan, valgrind and lint, included from
# the Makefile: hostile input for the parsers, the test suite under the
# sanitizers, traced runs under valgrind, and the static analysers.
#
#   make fuzz            each libFuzzer target for FUZZ_CI_SECS (20 s): CI
#   make fuzz-long       each target for FUZZ_SECS (600 s)
#   make fuzz-run-NAME   one target (id, format, cpulist, uint, bpfelf)
#   make asan            the test suite, built with ASan and UBSan
#   make valgrind        traced runs of a dynamic build under valgrind
#   make lint            cppcheck and clang-tidy; both must report nothing
#
# All of it builds with clang (FUZZ_CC) or the host compiler, dynamically
# against glibc: the sanitizers and valgrind do not work on static or musl
# binaries.  Everything goes under $(BUILD)/fuzz, $(BUILD)/asan and
# $(BUILD)/valgrind; the committed seeds stay read-only.
#
# Needs clang, libclang-rt-14-dev, valgrind, cppcheck and clang-tidy.

FUZZ_CC      ?= clang
FUZZ_SECS    ?= 600
FUZZ_CI_SECS ?= 20
CPPCHECK     ?= cppcheck
CLANG_TIDY   ?= clang-tidy
VALGRIND     ?= valgrind

FUZZ_DIR     = $(BUILD)/fuzz
FUZZ_TARGETS = id format cpulist uint bpfelf
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
# -fno-sanitize-recover: a UBSan report must stop the run like an ASan one.
FUZZ_CFLAGS  = -g -O1 -fno-omit-frame-pointer \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	       -Wall -Wextra -Werror $(WARN) -I. -isystem $(UAPI)
# One input should take microseconds; a second means a hang.
FUZZ_FLAGS   = -timeout=5 -rss_limit_mb=2048 -print_final_stats=1

.PHONY: fuzz fuzz-long fuzz-build asan valgrind lint lint-cppcheck lint-tidy

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/fuzz_id $(FUZZ_DIR)/fuzz_format $(FUZZ_DIR)/fuzz_cpulist \
$(FUZZ_DIR)/fuzz_uint: parse.c icmpcount.h
$(FUZZ_DIR)/fuzz_bpfelf: bpfelf.c bpfelf.h

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/toolchain
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# The longest input each parser is given: loader.c reads an id into 64
# bytes and a format into 8192, possible CPUs into 256; option values are
# short; clang's object is under 4 KB, 16 KB leaves room to grow.
fuzz-run-id:      FUZZ_MAX_LEN = 64
fuzz-run-format:  FUZZ_MAX_LEN = 8192
fuzz-run-cpulist: FUZZ_MAX_LEN = 256
fuzz-run-uint:    FUZZ_MAX_LEN = 40
fuzz-run-bpfelf:  FUZZ_MAX_LEN = 16384

fuzz:      FUZZ_TIME = $(FUZZ_CI_SECS)
fuzz-long: FUZZ_TIME = $(FUZZ_SECS)
fuzz fuzz-long: $(FUZZ_TARGETS:%=fuzz-run-%)

# New inputs go to $(FUZZ_DIR)/corpus/NAME, crashes to artifacts/; the log
# is $(FUZZ_DIR)/NAME.log, and its tail is shown when the run fails.
fuzz-run-%: $(FUZZ_DIR)/fuzz_%
	$(call msg,FUZZ,'$* for $(or $(FUZZ_TIME),$(FUZZ_CI_SECS)) s')
	$(Q)mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/artifacts
	$(Q)$< $(FUZZ_FLAGS) -max_len=$(FUZZ_MAX_LEN) \
		-max_total_time=$(or $(FUZZ_TIME),$(FUZZ_CI_SECS)) \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/$*- \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(FUZZ_DIR)/corpus/$* tests/fuzz/corpus/$* \
		>$(FUZZ_DIR)/$*.log 2>&1 || \
		{ tail -n 40 $(FUZZ_DIR)/$*.log; \
		  echo "fuzz: $* failed: see $(FUZZ_DIR)/$*.log and $(FUZZ_DIR)/artifacts/"; \
		  exit 1; }
	$(Q)awk '/^Done [0-9]+ runs/ { runs = $$2; secs = $$5 } \
		$$2 == "DONE" { for (i = 1; i < NF; i++) if ($$i ~ /^(cov|ft|corp):$$/) \
			s = s " " $$i " " $$(i + 1) } \
		END { printf "        %s runs in %s s,%s, no crash\n", runs, secs, s }' \
		$(FUZZ_DIR)/$*.log

# The test suite, built with AddressSanitizer and UBSan against glibc, runs
# the icmpcount built the same way.  Any report fails the run: the
# sanitizers abort the process (which fails its test), and write the report
# to $(ASAN_DIR)/log.PID, whose presence fails the target even when a test
# expected its child to die.
ASAN_DIR    = $(BUILD)/asan
# clang: with gcc 12, UBSan ignores log_path when linked with ASan.
ASAN_CC    ?= $(FUZZ_CC)
SAN_CFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
# prog_clang.c embeds build/prog_clang.h when clang builds for BPF.
ASAN_CLANG_PROG = $(if $(filter yes,$(HAVE_CLANG)),-I$(BUILD),-DNO_CLANG_PROG)
ASAN_CLANG_DEPS = $(if $(filter yes,$(HAVE_CLANG)),$(BUILD)/prog_clang.h)
SAN_LOG     = log_path=$(CURDIR)/$(ASAN_DIR)/log:print_stacktrace=1
ASAN_ENV    = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1:$(SAN_LOG) \
	      UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:$(SAN_LOG)

$(ASAN_DIR)/icmpcount: $(SRCS) $(HDRS) $(ASAN_CLANG_DEPS) $(BUILD)/toolchain
	$(call msg,ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(ASAN_CC) -O1 -g -Wall -Wextra -Werror $(WARN) $(SAN_CFLAGS) \
		-DVERSION='"$(VERSION)"' -isystem $(UAPI) $(ASAN_CLANG_PROG) \
		-o $@ $(SRCS)

$(ASAN_DIR)/tests: $(TEST_SRCS) $(TEST_HDRS) $(ASAN_CLANG_DEPS) $(BUILD)/toolchain
	$(call msg,ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(ASAN_CC) $(TEST_CFLAGS) $(SAN_CFLAGS) -o $@ $(TEST_SRCS)

# The --compat cases find the 32-bit sender beside the test binary.
$(ASAN_DIR)/vmsend32 $(ASAN_DIR)/vmsend: $(ASAN_DIR)/%: $(BUILD)/%
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@

asan: $(ASAN_DIR)/icmpcount $(ASAN_DIR)/tests $(ASAN_DIR)/vmsend \
      $(if $(SENDER32_CC),$(ASAN_DIR)/vmsend32)
	$(Q)rm -f $(ASAN_DIR)/log.*
	$(Q)$(ASAN_ENV) ICMPCOUNT=$(CURDIR)/$(ASAN_DIR)/icmpcount ./$(ASAN_DIR)/tests; \
	status=$$?; \
	for f in $(ASAN_DIR)/log.*; do \
		[ -e "$$f" ] || continue; \
		echo "asan: a sanitizer reported, in $$f:"; cat "$$f"; status=1; \
	done; \
	exit $$status

# A full tracing run under valgrind's memcheck needs a dynamic glibc build;
# valgrind.supp holds the two bpf()/mount() false positives, and says why.
VALGRIND_DIR = $(BUILD)/valgrind

$(VALGRIND_DIR)/icmpcount: $(SRCS) $(HDRS) $(ASAN_CLANG_DEPS) $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -O1 -g -Wall -Wextra -Werror $(WARN) $(HARDEN) \
		-DVERSION='"$(VERSION)"' -isystem $(UAPI) $(ASAN_CLANG_PROG) \
		-o $@ $(SRCS)

valgrind: $(VALGRIND_DIR)/icmpcount
	$(Q)VALGRIND=$(VALGRIND) sh tests/fuzz/valgrind.sh $< $(VALGRIND_DIR)

# Static analysis of every C file: cppcheck and clang-tidy (with the
# checks of .clang-tidy) must both print nothing.  cppcheck gets no system
# headers (its own library files stand in for libc) but the machine's
# architecture macro, or loader.c stops at its #error for want of __NR_bpf.
# clang-tidy gets each file's real flags and runs once per file: clang-tidy
# 14 given several files reports false valist.Uninitialized in the later
# ones.  For tests/ only: they run shell commands on purpose (cert-env33-c),
# and parse /proc and their own output, where a bad number fails the case
# anyway (cert-err34-c).
LINT_SRCS  = $(SRCS) bpfelf.c tools/bpf2h.c $(wildcard tests/*.c) \
	     $(wildcard tests/fuzz/*.c)
LINT_FLAGS = -I. -I$(BUILD) -DVERSION='"$(VERSION)"'
TIDY_TEST_CHECKS = -cert-env33-c,-cert-err34-c

lint: lint-cppcheck lint-tidy

lint-cppcheck: $(ASAN_CLANG_DEPS) $(BUILD)/toolchain
	$(call msg,LINT,cppcheck)
	$(Q)$(CPPCHECK) --quiet --error-exitcode=1 --std=c11 --library=gnu \
		--enable=warning,style,performance,portability --inline-suppr \
		--suppressions-list=tests/fuzz/cppcheck.supp \
		$(LINT_FLAGS) $(HOST_ARCH) $(LINT_SRCS)

lint-tidy: $(ASAN_CLANG_DEPS) $(BUILD)/toolchain
	$(call msg,LINT,clang-tidy)
	$(Q)status=0; for f in $(LINT_SRCS); do \
		case $$f in tests/*) checks=$(TIDY_TEST_CHECKS) ;; *) checks= ;; esac; \
		$(CLANG_TIDY) --quiet $${checks:+--checks=$$checks} $$f -- \
			$(LINT_FLAGS) -isystem $(UAPI) 2>/dev/null || status=1; \
	done; exit $$status
