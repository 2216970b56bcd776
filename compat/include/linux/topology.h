/* SPDX-License-Identifier: MIT */
/*
 * linux/topology.h - the machine's layout: ktl's vCPUs are all in NUMA node 0 (there is no
 * NUMA, SMT or cache topology to report).
 */
#ifndef _LINUX_TOPOLOGY_H
#define _LINUX_TOPOLOGY_H

#include <linux/cpumask.h>
#include <linux/numa.h>
#include <linux/smp.h>

#define cpu_to_node(cpu) ((void)(cpu), 0)
#define cpu_to_mem(cpu) ((void)(cpu), 0)
#define numa_mem_id() 0
#define cpumask_of_node(node) ((void)(node), cpu_possible_mask)
#define node_distance(from, to) ((from) == (to) ? 10 : 20)
#define topology_physical_package_id(cpu) ((void)(cpu), 0)
#define topology_core_id(cpu) (cpu)

#endif /* _LINUX_TOPOLOGY_H */
