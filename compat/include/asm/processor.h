/* SPDX-License-Identifier: MIT */
/*
 * asm/processor.h - cpu_relax().
 */
#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H

#include <asm/ktl-abi.h>

__KTL_BEGIN_DECLS
/**
 * cpu_relax - the body of a spin loop
 *
 * The pause instruction on the real machine; on the simulation machine it also lets the
 * other vCPUs run and virtual time advance, so a loop waiting for another CPU's store
 * must call it (as kernel code does anyway).
 * Context: any.
 */
void cpu_relax(void) __ktl_abi(cpu_relax);
__KTL_END_DECLS

#endif /* _ASM_PROCESSOR_H */
