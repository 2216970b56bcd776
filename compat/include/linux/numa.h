/* SPDX-License-Identifier: MIT */
/* linux/numa.h - NUMA nodes: ktl's machine is one node, node 0. */
#ifndef _LINUX_NUMA_H
#define _LINUX_NUMA_H

#define NODES_SHIFT 0
#define MAX_NUMNODES 1
#define NUMA_NO_NODE (-1)
#define nr_node_ids 1
#define numa_node_id() 0
#define first_online_node 0
#define for_each_online_node(node) for ((node) = 0; (node) < 1; (node)++)
#define for_each_node(node) for_each_online_node(node)

#endif /* _LINUX_NUMA_H */
