// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted round robin: destinations take turns in proportion to their
 * weights, interleaved (a weight 3 and a weight 1 server give A A B A ...
 * rather than A A A B), by lowering a current weight step by step.
 */
#include <linux/gcd.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "sched.h"

struct nfvs_wrr {
	spinlock_t lock;		/* protects all below */
	struct list_head *cl;		/* current position */
	int cw;				/* current weight */
	int mw;				/* largest weight */
	int di;				/* step: gcd of the weights */
};

static void nfvs_wrr_recompute(struct nfvs_service *svc, struct nfvs_wrr *w,
			       const struct nfvs_dest *leaving)
{
	struct nfvs_dest *dest;
	int mw = 0, di = 0, weight;

	list_for_each_entry(dest, &svc->dests, list) {
		weight = atomic_read(&dest->weight);
		if (weight <= 0 || dest == leaving)
			continue;
		mw = max(mw, weight);
		di = di ? gcd(di, weight) : weight;
	}
	w->mw = mw;
	w->di = di ? di : 1;
	if (w->cw <= 0 || w->cw > mw)
		w->cw = mw;
}

static int nfvs_wrr_init(struct nfvs_service *svc)
{
	struct nfvs_wrr *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return -ENOMEM;
	spin_lock_init(&w->lock);
	w->cl = &svc->dests;
	nfvs_wrr_recompute(svc, w, NULL);
	svc->sched_data = w;
	return 0;
}

static void nfvs_wrr_done(struct nfvs_service *svc)
{
	kfree(svc->sched_data);
}

static int nfvs_wrr_changed(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_wrr *w = svc->sched_data;

	spin_lock_bh(&w->lock);
	nfvs_wrr_recompute(svc, w, NULL);
	spin_unlock_bh(&w->lock);
	return 0;
}

static int nfvs_wrr_del_dest(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_wrr *w = svc->sched_data;

	spin_lock_bh(&w->lock);
	if (w->cl == &dest->list)
		w->cl = dest->list.next->prev;
	nfvs_wrr_recompute(svc, w, dest);
	spin_unlock_bh(&w->lock);
	return 0;
}

/* The largest weight of an available destination, 0 for none. */
static int nfvs_wrr_top(struct nfvs_service *svc)
{
	struct nfvs_dest *dest;
	int top = 0;

	list_for_each_entry_rcu(dest, &svc->dests, list)
		if (nfvs_dest_available(dest))
			top = max(top, atomic_read(&dest->weight));
	return top;
}

static struct nfvs_dest *nfvs_wrr_schedule(struct nfvs_service *svc,
					   const struct sk_buff *skb,
					   const struct nfvs_flow *flow)
{
	struct nfvs_wrr *w = svc->sched_data;
	struct nfvs_dest *dest, *found = NULL;
	unsigned int steps, limit;
	struct list_head *p;
	int top;

	spin_lock_bh(&w->lock);
	if (w->mw <= 0)
		goto out;
	/*
	 * A weight below the current one takes its turn once the current
	 * weight came down to it, one step (di) per pass: between weights
	 * 2147483647 and 1, billions of passes. A pass where no available
	 * destination is heavy enough serves nobody, so the current weight
	 * goes straight down to the heaviest available one: after a pass
	 * past the head, one more finds a destination unless none is
	 * available, and three passes are enough.
	 */
	limit = 3 * (svc->num_dests + 1);
	p = w->cl;
	for (steps = 0; steps < limit; steps++) {
		p = rcu_dereference(list_next_rcu(p));
		if (p == &svc->dests) {
			w->cw -= w->di;
			if (w->cw <= 0)
				w->cw = w->mw;
			top = nfvs_wrr_top(svc);
			if (!top)
				break;
			w->cw = min(w->cw, top);
			continue;
		}
		dest = list_entry(p, struct nfvs_dest, list);
		if (atomic_read(&dest->weight) >= w->cw &&
		    nfvs_dest_available(dest)) {
			found = dest;
			w->cl = p;
			break;
		}
	}
out:
	spin_unlock_bh(&w->lock);
	return found;
}

struct nfvs_scheduler nfvs_sched_wrr = {
	.name = "wrr",
	.init_service = nfvs_wrr_init,
	.done_service = nfvs_wrr_done,
	.add_dest = nfvs_wrr_changed,
	.del_dest = nfvs_wrr_del_dest,
	.upd_dest = nfvs_wrr_changed,
	.schedule = nfvs_wrr_schedule,
};
