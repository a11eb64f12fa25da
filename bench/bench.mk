# bench/bench.mk - make bench, included from the Makefile: icmpcount's
# cost per send against no tracer and against bpftrace.
#
#   make bench                        5 interleaved runs, 0.3 s per load
#   make bench BENCH_RUNS=11 BENCH_SECS=1
#   make bench BENCH_FLAGS=-W         wall-clock time, not CPU time
#
# build/bench/loadgen calls sendto() in a tight loop; build/bench/bench
# runs it under each contender (no tracer, the floor, icmpcount's programs,
# bpftrace with tests/reference/sendto_count.bt), checks the counts and
# prints the table.  Both are built for this machine with $(HOSTCC).  The
# default takes about four minutes on a quiet machine.
#
# Needs root and bpftrace.

BENCH_RUNS  ?= 5
BENCH_SECS  ?= 0.3
BENCH_FLAGS ?=
BENCH_DIR    = $(BUILD)/bench
BENCH_REF    = tests/reference/sendto_count.bt

.PHONY: bench

$(BENCH_DIR)/loadgen: bench/loadgen.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -pthread -o $@ bench/loadgen.c

$(BENCH_DIR)/bench: bench/bench.c bpf.c bpf.h tests/mountns.c tests/mountns.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ bench/bench.c bpf.c tests/mountns.c

# The size that counts is the installed one: no symbols, no debug info.
$(BENCH_DIR)/icmpcount.stripped: icmpcount
	$(call msg,STRIP,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)cp icmpcount $@
	$(Q)strip $@

# The 32-bit loads (what --compat costs, and counts) need loadgen built
# for this machine's 32-bit ABI, with the cross gcc the tests' 32-bit
# sender uses; without it they are left out.
$(BENCH_DIR)/loadgen32: bench/loadgen.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(SENDER32_CC) -O2 -Wall -Wextra -Werror -static -pthread -o $@ \
		bench/loadgen.c

bench: icmpcount $(BENCH_DIR)/loadgen $(BENCH_DIR)/bench \
       $(BENCH_DIR)/icmpcount.stripped \
       $(if $(SENDER32_CC),$(BENCH_DIR)/loadgen32)
	$(Q)./$(BENCH_DIR)/bench -r $(BENCH_RUNS) -s $(BENCH_SECS) \
		-i ./icmpcount -l $(BENCH_DIR)/loadgen -w $(BENCH_DIR) \
		-L $(BENCH_DIR)/loadgen32 \
		-S $(BENCH_DIR)/icmpcount.stripped -t $(BENCH_REF) \
		-c '$(CC) $(STATIC)' $(BENCH_FLAGS)
