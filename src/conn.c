// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table of a namespace: a resizable RCU hash (rhltable), so
 * lookups stay short however many connections there are, with a timer per
 * connection. The table holds one reference to each connection it lists;
 * lookups take their own. The timer (or an explicit expiry) unhashes the
 * connection and drops the table's reference; the last reference frees it
 * after a grace period.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "conn.h"
#include "netns.h"
#include "nfct.h"
#include "service.h"

/* The key is five words without padding: compared word by word. */
static_assert(sizeof(struct nfvs_conn_key) == 5 * sizeof(u32));

static int nfvs_conn_key_cmp(struct rhashtable_compare_arg *arg,
			     const void *obj)
{
	const u32 *a = (const u32 *)&((const struct nfvs_conn *)obj)->key;
	const u32 *b = arg->key;

	return !!((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		  (a[3] ^ b[3]) | (a[4] ^ b[4]));
}

static const struct rhashtable_params nfvs_conn_params = {
	.key_len = sizeof(struct nfvs_conn_key),
	.key_offset = offsetof(struct nfvs_conn, key),
	.head_offset = offsetof(struct nfvs_conn, node),
	.obj_cmpfn = nfvs_conn_key_cmp,
	.automatic_shrinking = true,
};

static struct kmem_cache *nfvs_conn_cache;

static void nfvs_conn_free_rcu(struct rcu_head *head)
{
	struct nfvs_conn *cp = container_of(head, struct nfvs_conn, rcu);

	kfree(cp->app_data);
	kmem_cache_free(nfvs_conn_cache, cp);
}

/* The destination's counter a connection is counted in. */
static atomic_t *nfvs_conn_counter(struct nfvs_conn *cp)
{
	if (cp->flags & NFVS_CONN_F_TEMPLATE)
		return &cp->dest->persistconns;
	return cp->active ? &cp->dest->activeconns : &cp->dest->inactconns;
}

/* Lets go of the control connection, if any; the last user of cp. */
static void nfvs_conn_drop_control(struct nfvs_conn *cp)
{
	if (!cp->control)
		return;
	if (cp->waiting)
		atomic_dec(&cp->control->n_waiting);
	atomic_dec(&cp->control->n_control);
	nfvs_conn_put(cp->control);
}

void nfvs_conn_put(struct nfvs_conn *cp)
{
	if (!refcount_dec_and_test(&cp->refcnt))
		return;
	/* Nobody can take a reference any more: the destination goes now. */
	if (cp->dest) {
		atomic_dec(nfvs_conn_counter(cp));
		nfvs_dest_put(cp->dest);
	}
	nfvs_conn_drop_control(cp);
	call_rcu(&cp->rcu, nfvs_conn_free_rcu);
}

/* Takes the connection out of the table, once; true if this call did. */
static bool nfvs_conn_unhash(struct nfvs_conn *cp)
{
	bool first;

	spin_lock_bh(&cp->lock);
	first = !cp->unhashed;
	cp->unhashed = true;
	spin_unlock_bh(&cp->lock);
	if (!first)
		return false;
	rhltable_remove(&cp->nn->conns.table, &cp->node, nfvs_conn_params);
	atomic_dec(&cp->nn->conns.count);
	if (cp->flags & NFVS_CONN_F_NO_CPORT)
		atomic_dec(&cp->nn->conns.no_cport);
	if (cp->app)
		atomic_dec(&cp->nn->conns.apps);
	/* Its conntrack entry ends with it. */
	if (cp->flags & NFVS_CONN_F_NFCT)
		nfvs_nfct_kill(cp);
	return true;
}

/*
 * The timer fires at the deadline it was armed with; packets since then may
 * have moved the connection's deadline on (nfvs_conn_rearm), and then it
 * waits again, for that.
 */
static void nfvs_conn_expire(struct timer_list *t)
{
	struct nfvs_conn *cp = timer_container_of(cp, t, timer);
	bool later;

	spin_lock(&cp->lock);
	/* A template lives as long as the connections it made. */
	if (atomic_read(&cp->n_control))
		cp->expires = jiffies + cp->timeout;
	later = !cp->unhashed && time_after(cp->expires, jiffies);
	if (later)
		mod_timer(&cp->timer, cp->expires);
	spin_unlock(&cp->lock);
	if (!later && nfvs_conn_unhash(cp))
		nfvs_conn_put(cp);
}

/*
 * Whether a full table may end the connection for a new one: one that has
 * not proven itself (no data after its handshake, no UDP exchange), which a
 * sender of spoofed packets can make, and which made no other (a template,
 * an FTP control connection).
 */
static bool nfvs_conn_evictable(const struct nfvs_conn *cp)
{
	return !(cp->flags & NFVS_CONN_F_TEMPLATE) && !READ_ONCE(cp->proven) &&
	       !READ_ONCE(cp->unhashed) && !atomic_read(&cp->n_control);
}

/*
 * The first evictable connection of @tbl from bucket @b on, referenced, or
 * NULL: it looks through at most NFVS_CONN_EVICT_BUCKETS buckets, and stops
 * once *seen (which counts on over the tables looked through before)
 * reaches NFVS_CONN_EVICT_CONNS connections.
 */
static struct nfvs_conn *nfvs_conn_victim(struct bucket_table *tbl, u32 b,
					  unsigned int *seen)
{
	struct rhash_head *pos;
	struct nfvs_conn *cp;
	unsigned int i;

	for (i = 0; i < NFVS_CONN_EVICT_BUCKETS &&
	     *seen < NFVS_CONN_EVICT_CONNS; i++, b++) {
		/* The size is a power of two. */
		rht_for_each_entry_rcu(cp, pos, tbl, b & (tbl->size - 1),
				       node.rhead) {
			if (nfvs_conn_evictable(cp) &&
			    refcount_inc_not_zero(&cp->refcnt))
				return cp;
			if (++*seen == NFVS_CONN_EVICT_CONNS)
				break;
		}
	}
	return NULL;
}

/*
 * Makes room in a full table: ends the first evictable connection found
 * from a random bucket on (bounded work, NFVS_CONN_EVICT_*; a flood's
 * connections, the most numerous, are the likeliest found). False when
 * there was none.
 *
 * While the table is resized, its entries move bucket by bucket, from the
 * first on, into the next table (future_tbl), and only then does ht->tbl
 * point to it; new entries go to the next table. So the old one is looked
 * through in its second half, which empties last, and the next one after
 * it, as lookups do: when that half has moved, the next table holds half
 * the entries. A table grows on its way to conn_max, just when eviction
 * begins.
 */
static bool nfvs_conn_evict(struct nfvs_net *nn)
{
	struct rhashtable *ht = &nn->conns.table.ht;
	struct nfvs_conn *victim = NULL;
	struct bucket_table *tbl, *next;
	u32 b = get_random_u32();
	unsigned int seen = 0;

	rcu_read_lock();
	for (tbl = rht_dereference_rcu(ht->tbl, ht); tbl && !victim;
	     tbl = next) {
		next = rht_dereference_rcu(tbl->future_tbl, ht);
		victim = nfvs_conn_victim(tbl, next ? b | tbl->size / 2 : b,
					  &seen);
	}
	rcu_read_unlock();
	if (!victim)
		return false;
	nfvs_conn_expire_now(victim);
	nfvs_conn_put(victim);
	return true;
}

/* A table at its sysctl conn_max takes another only in place of one. */
static bool nfvs_conn_room(struct nfvs_net *nn)
{
	int max = READ_ONCE(nn->sysctl.conn_max);

	if (atomic_read(&nn->conns.count) < max ||
	    nfvs_conn_evict(nn))
		return true;
	net_warn_ratelimited("connection table full (conn_max %d), dropping packet\n",
			     max);
	return false;
}

#ifdef NFVS_KUNIT
void (*nfvs_conn_test_inserted)(struct nfvs_conn *cp);
#define nfvs_conn_inserted(cp) \
	do { if (nfvs_conn_test_inserted) nfvs_conn_test_inserted(cp); } while (0)
#else
#define nfvs_conn_inserted(cp) do { } while (0)
#endif

struct nfvs_conn *nfvs_conn_new(struct nfvs_net *nn,
				const struct nfvs_conn_param *p,
				struct nfvs_dest *dest, unsigned long timeout)
{
	struct nfvs_conn *cp;

	if (!nfvs_conn_room(nn))
		return NULL;
	cp = kmem_cache_zalloc(nfvs_conn_cache, GFP_ATOMIC);
	if (!cp)
		return NULL;
	cp->key = p->key;
	cp->vaddr = p->vaddr;
	cp->vport = p->vport;
	cp->daddr = p->daddr;
	cp->dport = p->dport;
	cp->fwd = p->fwd;
	cp->flags = p->flags;
	cp->timeout = timeout;
	cp->nn = nn;
	spin_lock_init(&cp->lock);
	timer_setup(&cp->timer, nfvs_conn_expire, 0);
	/* One reference for the table, one for the caller. */
	refcount_set(&cp->refcnt, 2);
	cp->expires = jiffies + timeout;
	if (dest && refcount_inc_not_zero(&dest->refcnt))
		cp->dest = dest;
	/* A data connection waits for its first packet, counted as such. */
	if (p->control) {
		nfvs_conn_set_control(cp, p->control);
		cp->waiting = true;
		atomic_inc(&p->control->n_waiting);
	}

	if (rhltable_insert(&nn->conns.table, &cp->node, nfvs_conn_params)) {
		if (cp->dest)
			nfvs_dest_put(cp->dest);
		nfvs_conn_drop_control(cp);
		kmem_cache_free(nfvs_conn_cache, cp);
		return NULL;
	}
	if (cp->dest)
		atomic_inc(nfvs_conn_counter(cp));
	atomic_inc(&nn->conns.count);
	if (cp->flags & NFVS_CONN_F_NO_CPORT)
		atomic_inc(&nn->conns.no_cport);
	/*
	 * It is in the table: another CPU may already have ended it
	 * (nfvs_conn_expire_now, e.g. a second FTP command for the same data
	 * port), and its timer must then stay off, or it would fire on freed
	 * memory. Armed under the lock, only while still hashed.
	 */
	nfvs_conn_inserted(cp);
	spin_lock_bh(&cp->lock);
	if (!cp->unhashed)
		mod_timer(&cp->timer, cp->expires);
	spin_unlock_bh(&cp->lock);
	return cp;
}

/* Makes tpl the template of cp, which must not have one yet. */
void nfvs_conn_set_control(struct nfvs_conn *cp, struct nfvs_conn *tpl)
{
	refcount_inc(&tpl->refcnt);
	atomic_inc(&tpl->n_control);
	cp->control = tpl;
}

/* What a lookup wants of a connection with the key it asks for. */
struct nfvs_conn_want {
	enum { NFVS_BY_VIRTUAL, NFVS_BY_REAL, NFVS_BY_TEMPLATE } by;
	const union nf_inet_addr *addr;	/* virtual or real server's */
	__be16 port;
	const struct nfvs_service *svc;	/* a template's */
};

static bool nfvs_conn_matches(const struct nfvs_conn *cp,
			      const struct nfvs_conn_want *w)
{
	bool tpl = cp->flags & NFVS_CONN_F_TEMPLATE;

	switch (w->by) {
	case NFVS_BY_VIRTUAL:
		return !tpl && cp->vport == w->port &&
		       nf_inet_addr_cmp(&cp->vaddr, w->addr);
	case NFVS_BY_REAL:
		return !tpl && cp->dport == w->port &&
		       nf_inet_addr_cmp(&cp->daddr, w->addr);
	case NFVS_BY_TEMPLATE:
		/* A template's destination keeps its service alive. */
		return tpl && cp->dest && cp->dest->svc == w->svc;
	}
	return false;
}

/* The first connection with the key that is wanted, referenced. */
static struct nfvs_conn *nfvs_conn_lookup(struct nfvs_net *nn,
					  const struct nfvs_conn_key *key,
					  const struct nfvs_conn_want *w)
{
	struct nfvs_conn *cp, *found = NULL;
	struct rhlist_head *list, *pos;

	rcu_read_lock();
	list = rhltable_lookup(&nn->conns.table, key, nfvs_conn_params);
	rhl_for_each_entry_rcu(cp, pos, list, node) {
		if (nfvs_conn_matches(cp, w) &&
		    refcount_inc_not_zero(&cp->refcnt)) {
			found = cp;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* The live template of a client (key) for a service, referenced. */
struct nfvs_conn *nfvs_conn_tpl_get(struct nfvs_net *nn,
				    const struct nfvs_conn_key *key,
				    const struct nfvs_service *svc)
{
	struct nfvs_conn_want w = { .by = NFVS_BY_TEMPLATE, .svc = svc };

	return nfvs_conn_lookup(nn, key, &w);
}

struct nfvs_conn *nfvs_conn_in_get(struct nfvs_net *nn,
				   const struct nfvs_conn_key *key,
				   const union nf_inet_addr *vaddr,
				   __be16 vport)
{
	struct nfvs_conn_want w = {
		.by = NFVS_BY_VIRTUAL, .addr = vaddr, .port = vport,
	};

	return nfvs_conn_lookup(nn, key, &w);
}

struct nfvs_conn *nfvs_conn_out_get(struct nfvs_net *nn,
				    const struct nfvs_conn_key *key,
				    const union nf_inet_addr *daddr,
				    __be16 dport)
{
	struct nfvs_conn_want w = {
		.by = NFVS_BY_REAL, .addr = daddr, .port = dport,
	};

	return nfvs_conn_lookup(nn, key, &w);
}

/*
 * A client's first packet to a data connection that waits for its port
 * (FTP passive mode): a connection of its own, with the same real server
 * and control connection; the waiting one is used up. Referenced.
 */
struct nfvs_conn *nfvs_conn_claim(struct nfvs_net *nn,
				  const struct nfvs_conn_key *key,
				  const union nf_inet_addr *vaddr, __be16 vport)
{
	struct nfvs_conn_key any = *key;
	struct nfvs_conn_param param;
	struct nfvs_conn *wait, *cp;

	any.cport = 0;
	wait = nfvs_conn_in_get(nn, &any, vaddr, vport);
	if (!wait)
		return NULL;
	if (!(wait->flags & NFVS_CONN_F_NO_CPORT)) {
		nfvs_conn_put(wait);
		return NULL;
	}
	param = (struct nfvs_conn_param) {
		.key = *key,
		.vaddr = wait->vaddr,
		.vport = wait->vport,
		.daddr = wait->daddr,
		.dport = wait->dport,
		.fwd = wait->fwd,
		.flags = wait->flags & ~NFVS_CONN_F_NO_CPORT,
	};
	cp = nfvs_conn_new(nn, &param, wait->dest, 2 * HZ);
	if (cp) {
		cp->zone = wait->zone;
		if (wait->control)
			nfvs_conn_set_control(cp, wait->control);
	}
	nfvs_conn_expire_now(wait);
	nfvs_conn_put(wait);
	return cp;
}

/* Moves the connection between its destination's counters; under cp->lock. */
void nfvs_conn_set_active(struct nfvs_conn *cp, bool active)
{
	if (cp->active == active || !cp->dest ||
	    (cp->flags & NFVS_CONN_F_TEMPLATE))
		return;
	cp->active = active;
	atomic_inc(active ? &cp->dest->activeconns : &cp->dest->inactconns);
	atomic_dec(active ? &cp->dest->inactconns : &cp->dest->activeconns);
}

/*
 * Gives the connection timeout more to live, unless it already left the
 * table. Only a deadline earlier than the armed timer's moves the timer: a
 * later one is taken up when the timer fires, so that a packet of a busy
 * connection does no timer work (and takes no timer lock).
 */
void nfvs_conn_rearm(struct nfvs_conn *cp, unsigned long timeout)
{
	unsigned long expires = jiffies + timeout;

	lockdep_assert_held(&cp->lock);
	if (cp->unhashed)
		return;
	WRITE_ONCE(cp->expires, expires);
	if (!timer_pending(&cp->timer) ||
	    time_before(expires, READ_ONCE(cp->timer.expires)))
		mod_timer(&cp->timer, expires);
}

void nfvs_conn_touch(struct nfvs_conn *cp, unsigned long timeout)
{
	spin_lock_bh(&cp->lock);
	nfvs_conn_rearm(cp, timeout);
	spin_unlock_bh(&cp->lock);
}

/* Ends a connection now; the caller holds a reference. */
void nfvs_conn_expire_now(struct nfvs_conn *cp)
{
	bool mine = nfvs_conn_unhash(cp);

	/* Unhashed first, so nothing re-arms the timer after this. */
	timer_delete_sync(&cp->timer);
	if (mine)
		nfvs_conn_put(cp);
}

/*
 * The lock under which a packet that found no connection makes one for the
 * client @key: a flow's first packets may be handled on two CPUs at once,
 * and without it both would make a connection (a template too, for a
 * persistent service). One client address, one lock: its connections and
 * its templates (port 0, or another protocol for a fwmark) alike. Taken
 * with BH off, never nested.
 */
spinlock_t *nfvs_conn_new_lock(struct nfvs_net *nn,
			       const struct nfvs_conn_key *key)
{
	u32 h = jhash2(key->caddr.all, ARRAY_SIZE(key->caddr.all), 0);

	return &nn->conns.new_locks[h % NFVS_CONN_NEW_LOCKS];
}

/*
 * The default of sysctl conn_max: one connection per 4 KiB of RAM (a
 * connection takes about 256 bytes with its share of the table, so the
 * table stays under a sixteenth of memory), at least 65536.
 */
int nfvs_conn_max_default(void)
{
	unsigned long n = totalram_pages() << (PAGE_SHIFT - 12);

	return clamp_t(unsigned long, n, 65536, INT_MAX);
}

int nfvs_conns_init(struct nfvs_net *nn)
{
	int i;

	for (i = 0; i < NFVS_CONN_NEW_LOCKS; i++)
		spin_lock_init(&nn->conns.new_locks[i]);
	atomic_set(&nn->conns.count, 0);
	atomic_set(&nn->conns.no_cport, 0);
	atomic_set(&nn->conns.apps, 0);
	return rhltable_init(&nn->conns.table, &nfvs_conn_params);
}

static void nfvs_conn_free_listed(void *ptr, void *arg)
{
	nfvs_conn_put(ptr);
}

/*
 * A cursor over the connection table, for a walk in parts (a netlink dump):
 * each nfvs_conns_walk_on() goes on from where the last stopped. The table
 * keeps the cursor's place while no RCU read section is held; if it is
 * resized meanwhile, the walk starts over, and may repeat connections.
 */
struct rhashtable_iter *nfvs_conns_cursor_new(struct nfvs_net *nn, gfp_t gfp)
{
	struct rhashtable_iter *iter = kmalloc(sizeof(*iter), gfp);

	if (iter)
		rhltable_walk_enter(&nn->conns.table, iter);
	return iter;
}

void nfvs_conns_cursor_free(struct rhashtable_iter *iter)
{
	if (!iter)
		return;
	rhashtable_walk_exit(iter);
	kfree(iter);
}

/*
 * nfvs_conns_walk_on - call @fn for each connection from the cursor on,
 * under RCU, until @fn returns non-zero: the cursor then stays on that
 * connection, for the next walk to offer it again.
 */
void nfvs_conns_walk_on(struct rhashtable_iter *iter,
			int (*fn)(struct nfvs_conn *cp, void *arg), void *arg)
{
	struct nfvs_conn *cp;

	rhashtable_walk_start(iter);
	for (cp = rhashtable_walk_peek(iter); cp;
	     cp = rhashtable_walk_next(iter)) {
		if (IS_ERR(cp))		/* -EAGAIN: resized, starts over */
			continue;
		if (fn(cp, arg))
			break;
	}
	rhashtable_walk_stop(iter);
}

static int nfvs_conn_stop(struct nfvs_conn *cp, void *arg)
{
	spin_lock_bh(&cp->lock);
	cp->unhashed = true;
	spin_unlock_bh(&cp->lock);
	timer_delete_sync(&cp->timer);
	if (cp->flags & NFVS_CONN_F_NFCT)
		nfvs_nfct_kill(cp);
	return 0;
}

/*
 * Namespace exit, after the hooks are gone: stop every timer, then free
 * the table and drop its references.
 */
void nfvs_conns_exit(struct nfvs_net *nn)
{
	struct rhashtable_iter iter;

	rhltable_walk_enter(&nn->conns.table, &iter);
	nfvs_conns_walk_on(&iter, nfvs_conn_stop, NULL);
	rhashtable_walk_exit(&iter);
	rhltable_free_and_destroy(&nn->conns.table, nfvs_conn_free_listed, NULL);
	atomic_set(&nn->conns.count, 0);
}

/* Idempotent: KUnit suites may need the cache before module init runs. */
int nfvs_conn_cache_init(void)
{
	if (!nfvs_conn_cache)
		nfvs_conn_cache = KMEM_CACHE(nfvs_conn, 0);
	return nfvs_conn_cache ? 0 : -ENOMEM;
}

void nfvs_conn_cache_exit(void)
{
	kmem_cache_destroy(nfvs_conn_cache);
	nfvs_conn_cache = NULL;
}
