// SPDX-License-Identifier: GPL-2.0
/*
 * The lookup table shared by the hashing schedulers (sh, dh, mh). A new
 * table is built for every change of the destinations and replaces the old
 * one under RCU, so the packet path never sees one half built. A table that
 * cannot be rebuilt stays as it was, except that a leaving destination's
 * slots are handed to their neighbours in place: no slot may name a
 * destination that is gone.
 */
#include <linux/jhash.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "netns.h"
#include "sched.h"

struct nfvs_lookup_state {
	const struct nfvs_lookup_ops *ops;
	struct nfvs_lookup __rcu *lookup;
};

u32 nfvs_sched_hash(u16 af, const union nf_inet_addr *addr, __be16 port,
		    u32 seed)
{
	u32 a = af == AF_INET6 ? jhash(&addr->in6, sizeof(addr->in6), seed) :
				 (__force u32)addr->ip;

	return jhash_2words(a, (__force u32)port, seed);
}

static struct nfvs_lookup *nfvs_lookup_of(struct nfvs_service *svc)
{
	struct nfvs_lookup_state *st = svc->sched_data;

	return rcu_dereference_protected(st->lookup,
					 lockdep_is_held(&svc->nn->services.mutex));
}

static int nfvs_lookup_build(struct nfvs_service *svc,
			     const struct nfvs_dest *leaving)
{
	struct nfvs_lookup_state *st = svc->sched_data;
	struct nfvs_lookup *lookup, *old;
	int err;

	lookup = kvzalloc(struct_size(lookup, slot, st->ops->size), GFP_KERNEL);
	if (!lookup)
		return -ENOMEM;
	lookup->size = st->ops->size;
	err = st->ops->fill(svc, lookup, leaving);
	if (err) {
		kvfree(lookup);
		return err;
	}
	old = nfvs_lookup_of(svc);
	rcu_assign_pointer(st->lookup, lookup);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* Each slot of @leaving goes to the nearest slot before it that stays. */
static void nfvs_lookup_evict(struct nfvs_service *svc,
			      const struct nfvs_dest *leaving)
{
	struct nfvs_lookup *lookup = nfvs_lookup_of(svc);
	struct nfvs_dest *dest, *heir = NULL;
	unsigned int i;

	for (i = lookup->size; i-- > 0 && !heir;) {
		dest = rcu_dereference_protected(lookup->slot[i], true);
		if (dest != leaving)
			heir = dest;
	}
	for (i = 0; i < lookup->size; i++) {
		dest = rcu_dereference_protected(lookup->slot[i], true);
		if (dest == leaving)
			rcu_assign_pointer(lookup->slot[i], heir);
		else
			heir = dest;
	}
}

int nfvs_lookup_init(struct nfvs_service *svc,
		     const struct nfvs_lookup_ops *ops)
{
	struct nfvs_lookup_state *st = kzalloc(sizeof(*st), GFP_KERNEL);
	int err;

	if (!st)
		return -ENOMEM;
	st->ops = ops;
	svc->sched_data = st;
	err = nfvs_lookup_build(svc, NULL);
	if (err) {
		svc->sched_data = NULL;
		kfree(st);
	}
	return err;
}

/* No packet can see the table any more. */
void nfvs_lookup_done(struct nfvs_service *svc)
{
	struct nfvs_lookup_state *st = svc->sched_data;

	kvfree(rcu_dereference_protected(st->lookup, true));
	kfree(st);
}

int nfvs_lookup_changed(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	return nfvs_lookup_build(svc, NULL);
}

int nfvs_lookup_del_dest(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	int err = nfvs_lookup_build(svc, dest);

	if (err)
		nfvs_lookup_evict(svc, dest);
	return err;
}

/*
 * The destination of slot @hash if it is available. Else, with @fallback,
 * the first available one along a probe sequence of its own for each
 * @probe_hash, which visits every slot (the size is prime); packet path.
 */
struct nfvs_dest *nfvs_lookup_pick(struct nfvs_service *svc, u32 hash,
				   u32 probe_hash, bool fallback)
{
	struct nfvs_lookup_state *st = svc->sched_data;
	struct nfvs_lookup *lookup = rcu_dereference(st->lookup);
	unsigned int i, pos, step;
	struct nfvs_dest *dest;

	pos = hash % lookup->size;
	dest = rcu_dereference(lookup->slot[pos]);
	if (!dest || nfvs_dest_available(dest))
		return dest;
	if (!fallback)
		return NULL;
	step = probe_hash % (lookup->size - 1) + 1;
	for (i = 1; i < lookup->size; i++) {
		pos += step;
		if (pos >= lookup->size)
			pos -= lookup->size;
		dest = rcu_dereference(lookup->slot[pos]);
		if (dest && nfvs_dest_available(dest))
			return dest;
	}
	return NULL;
}
