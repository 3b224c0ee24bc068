/* SPDX-License-Identifier: MIT */
/* kmem simulates a single NUMA node (node 0). */
#ifndef _KMEM_LINUX_NUMA_H
#define _KMEM_LINUX_NUMA_H
#define NUMA_NO_NODE (-1)
#define MAX_NUMNODES 1
#define numa_node_id() 0
#define numa_mem_id() 0
#define first_online_node 0
#endif
