# tests/disasm/disasm.mk - make test-disasm, included from the Makefile
# (make test runs it first where clang builds for BPF): disasm_check holds
# disasm.c's text against llvm-objdump's, on objects that clang and llvm-mc
# make from kinds.bpf.c and hand.s, then on 100000 random instructions.
#
#   make test-disasm
#
# Needs clang and llvm (llvm-mc, llvm-objdump).

LLVM_MC      ?= llvm-mc
LLVM_OBJDUMP ?= llvm-objdump

DISASM_DIR  = $(BUILD)/disasm
DISASM_OBJS = $(DISASM_DIR)/kinds-v1.o $(DISASM_DIR)/kinds-v2.o \
	      $(DISASM_DIR)/kinds-v3.o $(DISASM_DIR)/kinds-v2-alu32.o \
	      $(DISASM_DIR)/hand.o

.PHONY: test-disasm

# 32-bit atomics need alu32: v3 has it, v2 gets it as a target feature.
$(DISASM_DIR)/kinds-v1.o: DISASM_CPU = -mcpu=v1
$(DISASM_DIR)/kinds-v2.o: DISASM_CPU = -mcpu=v2
$(DISASM_DIR)/kinds-v3.o: DISASM_CPU = -mcpu=v3 -DHAVE_ALU32
$(DISASM_DIR)/kinds-v2-alu32.o: DISASM_CPU = -mcpu=v2 -DHAVE_ALU32 \
	-Xclang -target-feature -Xclang +alu32

$(DISASM_DIR)/kinds-%.o: tests/disasm/kinds.bpf.c $(BUILD)/toolchain
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -O2 -g -target bpf $(DISASM_CPU) -c -o $@ $<

$(DISASM_DIR)/hand.o: tests/disasm/hand.s
	$(call msg,MC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LLVM_MC) -triple bpfel -filetype=obj -o $@ $<

$(DISASM_DIR)/disasm_check: tests/disasm_check.c disasm.c disasm.h \
			    $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(TEST_CFLAGS) -o $@ tests/disasm_check.c disasm.c

test-disasm: $(DISASM_DIR)/disasm_check $(DISASM_OBJS)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) $< $(DISASM_OBJS)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) $< -f 100000 $(DISASM_DIR)/fuzz.o
