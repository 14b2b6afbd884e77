// SPDX-License-Identifier: GPL-2.0
/* Round robin: each available destination (sched.h) in turn. */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "sched.h"

struct nfvs_rr {
	spinlock_t lock;		/* protects last */
	struct list_head *last;
};

static int nfvs_rr_init(struct nfvs_service *svc)
{
	struct nfvs_rr *rr = kzalloc(sizeof(*rr), GFP_KERNEL);

	if (!rr)
		return -ENOMEM;
	spin_lock_init(&rr->lock);
	rr->last = &svc->dests;
	svc->sched_data = rr;
	return 0;
}

static void nfvs_rr_done(struct nfvs_service *svc)
{
	kfree(svc->sched_data);
}

static int nfvs_rr_del_dest(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_rr *rr = svc->sched_data;

	spin_lock_bh(&rr->lock);
	if (rr->last == &dest->list)
		rr->last = dest->list.next->prev;
	spin_unlock_bh(&rr->lock);
	return 0;
}

static struct nfvs_dest *nfvs_rr_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	struct nfvs_rr *rr = svc->sched_data;
	struct nfvs_dest *dest, *found = NULL;
	struct list_head *p;
	int heads = 0;

	spin_lock_bh(&rr->lock);
	p = rr->last;
	do {
		p = rcu_dereference(list_next_rcu(p));
		/* Twice past the head: the cursor is no longer listed. */
		if (p == &svc->dests) {
			if (++heads > 1)
				break;
			continue;
		}
		dest = list_entry(p, struct nfvs_dest, list);
		if (nfvs_dest_available(dest)) {
			found = dest;
			rr->last = p;
			break;
		}
	} while (p != rr->last);
	spin_unlock_bh(&rr->lock);
	return found;
}

struct nfvs_scheduler nfvs_sched_rr = {
	.name = "rr",
	.init_service = nfvs_rr_init,
	.done_service = nfvs_rr_done,
	.del_dest = nfvs_rr_del_dest,
	.schedule = nfvs_rr_schedule,
};
