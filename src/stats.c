// SPDX-License-Identifier: GPL-2.0
#include <linux/string.h>

#include "stats.h"

int nfvs_stats_init(struct nfvs_stats *s)
{
	int cpu;

	memset(&s->base, 0, sizeof(s->base));
	s->cpu = alloc_percpu(struct nfvs_cpu_stats);
	if (!s->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->cpu, cpu)->syncp);
	return 0;
}

void nfvs_stats_free(struct nfvs_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}

static void nfvs_stats_sum(const struct nfvs_stats *s, struct nfvs_counters *c)
{
	const struct nfvs_cpu_stats *p;
	unsigned int start;
	u64 conns, inpkts, outpkts, inbytes, outbytes;
	int cpu;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(s->cpu, cpu);
		do {
			start = u64_stats_fetch_begin(&p->syncp);
			conns = u64_stats_read(&p->conns);
			inpkts = u64_stats_read(&p->inpkts);
			outpkts = u64_stats_read(&p->outpkts);
			inbytes = u64_stats_read(&p->inbytes);
			outbytes = u64_stats_read(&p->outbytes);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		c->conns += conns;
		c->inpkts += inpkts;
		c->outpkts += outpkts;
		c->inbytes += inbytes;
		c->outbytes += outbytes;
	}
}

void nfvs_stats_read(const struct nfvs_stats *s, struct nfvs_counters *c)
{
	nfvs_stats_sum(s, c);
	c->conns -= s->base.conns;
	c->inpkts -= s->base.inpkts;
	c->outpkts -= s->base.outpkts;
	c->inbytes -= s->base.inbytes;
	c->outbytes -= s->base.outbytes;
}

void nfvs_stats_zero(struct nfvs_stats *s)
{
	nfvs_stats_sum(s, &s->base);
}
