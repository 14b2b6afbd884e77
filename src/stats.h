/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_STATS_H
#define _NFVS_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

struct nfvs_counters {
	u64 conns;
	u64 inpkts;
	u64 outpkts;
	u64 inbytes;
	u64 outbytes;
};

struct nfvs_cpu_stats {
	u64_stats_t conns;
	u64_stats_t inpkts;
	u64_stats_t outpkts;
	u64_stats_t inbytes;
	u64_stats_t outbytes;
	struct u64_stats_sync syncp;
};

/*
 * Per-CPU counters of a service, a destination or a namespace. Zeroing
 * records a baseline, so the packet path never has to be stopped for it.
 */
struct nfvs_stats {
	struct nfvs_cpu_stats __percpu *cpu;
	struct nfvs_counters base;
};

int nfvs_stats_init(struct nfvs_stats *s);
void nfvs_stats_free(struct nfvs_stats *s);
void nfvs_stats_read(const struct nfvs_stats *s, struct nfvs_counters *c);
void nfvs_stats_zero(struct nfvs_stats *s);

/* Packet path: count one packet of len bytes, on this CPU. */
static inline void nfvs_stats_count(struct nfvs_stats *s, bool in,
				    unsigned int len)
{
	struct nfvs_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	if (in) {
		u64_stats_inc(&c->inpkts);
		u64_stats_add(&c->inbytes, len);
	} else {
		u64_stats_inc(&c->outpkts);
		u64_stats_add(&c->outbytes, len);
	}
	u64_stats_update_end(&c->syncp);
}

static inline void nfvs_stats_conn(struct nfvs_stats *s)
{
	struct nfvs_cpu_stats *c = this_cpu_ptr(s->cpu);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->conns);
	u64_stats_update_end(&c->syncp);
}

#endif /* _NFVS_STATS_H */
