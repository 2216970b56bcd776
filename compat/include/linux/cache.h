/* SPDX-License-Identifier: MIT */
/* linux/cache.h - cache-line size and alignment attributes (64-byte lines). */
#ifndef _LINUX_CACHE_H
#define _LINUX_CACHE_H

#include <linux/compiler.h>

#define L1_CACHE_SHIFT 6
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES L1_CACHE_BYTES
#define L1_CACHE_ALIGN(x) (((x) + (L1_CACHE_BYTES - 1)) & ~(L1_CACHE_BYTES - 1))
#define SMP_ALIGN(x) L1_CACHE_ALIGN(x)
#define cache_line_size() L1_CACHE_BYTES
#ifndef ____cacheline_aligned
#define ____cacheline_aligned __attribute__((__aligned__(SMP_CACHE_BYTES)))
#endif
#ifndef ____cacheline_aligned_in_smp
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#endif
#ifndef __cacheline_aligned
#define __cacheline_aligned ____cacheline_aligned
#endif
#ifndef __cacheline_aligned_in_smp
#define __cacheline_aligned_in_smp __cacheline_aligned
#endif
#define ____cacheline_internodealigned_in_smp ____cacheline_aligned
#define __read_mostly_section
#ifndef __ro_after_init
#define __ro_after_init
#endif

#endif /* _LINUX_CACHE_H */
