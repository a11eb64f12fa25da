// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the Prometheus tier (filled in by the --prom work).
 */
#include "test.h"

void run_prom_tests(void)
{
}
