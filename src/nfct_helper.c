// SPDX-License-Identifier: GPL-2.0
/*
 * The other half of the conntrack bridge: nfvs learns when an entry it made
 * is deleted (conntrack -D, a flush, its own timeout, early drop) and ends
 * the connection with it, so that the two tables stay in step.
 *
 * An out-of-tree module has no conntrack extension of its own and cannot
 * take the one event notifier (ctnetlink has it), but a conntrack helper has
 * a destroy callback that nf_ct_delete() calls however an entry dies. nfvs
 * registers a helper, "nfvs", that leaves packets alone. A bridged entry
 * gets it before it is confirmed; once confirmed, the helper's private data
 * holds a reference to the nfvs connection. destroy takes that reference
 * back and expires the connection on its timer, never waiting for it: it
 * may run inside that very timer, through nfvs_nfct_kill().
 *
 * An entry that already has a helper (-j CT --helper ftp) keeps it; nfvs
 * does not see it die, but still deletes it when its own connection ends.
 * One whose helper ctnetlink removed gives the reference back then too.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "conn.h"
#include "netns.h"
#include "nfct.h"

#define NFVS_NFCT_HELPER	"nfvs"

/* Expectations (the FTP helper's) per connection, and their lifetime. */
static const struct nf_conntrack_expect_policy nfvs_nfct_policy = {
	.name = NFVS_NFCT_HELPER,
	.max_expected = 8,
	.timeout = 5 * 60,
};

/* Templates (filled at init) and the helpers conntrack registered. */
static struct nf_conntrack_helper nfvs_nfct_tmpl[2];
static struct nf_conntrack_helper *nfvs_nfct_helper[2];

/* The helper's private data: the connection, referenced. */
static_assert(sizeof(struct nfvs_conn *) <=
	      sizeof_field(struct nf_conn_help, data));

static struct nfvs_conn **nfvs_nfct_slot(struct nf_conn_help *help)
{
	return (struct nfvs_conn **)help->data;
}

static int nfvs_nfct_helper_index(u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return 0;
	case IPPROTO_UDP:
		return 1;
	default:
		return -1;
	}
}

/* The entry's helper data, if its helper is nfvs's. */
static struct nf_conn_help *nfvs_nfct_help_ours(const struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);
	const struct nf_conntrack_helper *h;

	if (!help)
		return NULL;
	h = rcu_access_pointer(help->helper);
	if (!h || (h != nfvs_nfct_helper[0] && h != nfvs_nfct_helper[1]))
		return NULL;
	return help;
}

/*
 * Packets pass untouched. Conntrack calls this for the packets of a bound
 * entry that nfvs did not steal: the replies of a DR or TUN real server
 * whose gateway is the director. Such a reply makes a one-way entry
 * ASSURED, although a real server answers a spoofed SYN all the same: it
 * stays evictable until the client proved itself (nfvs_nfct_follow). The
 * connection is freed after an RCU grace period, and the hook holds the
 * RCU read lock.
 */
static int nfvs_nfct_help(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct nf_conn_help *help = nfct_help(ct);
	struct nfvs_conn *cp;

	cp = help ? READ_ONCE(*nfvs_nfct_slot(help)) : NULL;
	if (cp && cp->fwd != NFVS_FWD_NAT && !READ_ONCE(cp->proven) &&
	    test_bit(IPS_ASSURED_BIT, &ct->status))
		clear_bit(IPS_ASSURED_BIT, &ct->status);
	return NF_ACCEPT;
}

/* The entry let go of its connection: it ends at its next timer tick. */
static void nfvs_nfct_release(struct nfvs_conn *cp)
{
	nfvs_conn_touch(cp, 0);
	nfvs_conn_put(cp);
}

static void nfvs_nfct_destroy(struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);
	struct nfvs_conn *cp;

	if (!help)
		return;
	cp = xchg(nfvs_nfct_slot(help), NULL);
	if (cp)
		nfvs_nfct_release(cp);
}

bool nfvs_nfct_helper_add(struct nf_conn *ct)
{
	struct nf_conntrack_helper *h;
	struct nf_conn_help *help;
	int i;

	i = nfvs_nfct_helper_index(nf_ct_protonum(ct));
	h = i < 0 ? NULL : nfvs_nfct_helper[i];
	if (!h)
		return false;
	help = nfct_help(ct);
	if (help && rcu_access_pointer(help->helper))
		return rcu_access_pointer(help->helper) == h;
	if (!help)
		help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help || !nfvs_ct_helper_hold(h))
		return false;
	rcu_assign_pointer(help->helper, h);
	return true;
}

void nfvs_nfct_bind(struct nf_conn *ct, struct nfvs_conn *cp)
{
	struct nf_conn_help *help = nfvs_nfct_help_ours(ct);
	struct nfvs_conn *old;

	if (!help)
		return;
	refcount_inc(&cp->refcnt);
	old = xchg(nfvs_nfct_slot(help), cp);
	if (old)
		nfvs_conn_put(old);
	/*
	 * nf_ct_delete() marks the entry dying, then calls destroy: if it
	 * came in between, whichever of us comes second takes the reference.
	 */
	if (nf_ct_is_dying(ct)) {
		old = xchg(nfvs_nfct_slot(help), NULL);
		if (old)
			nfvs_nfct_release(old);
	}
	if (!READ_ONCE(cp->nn->nfct_bound))
		WRITE_ONCE(cp->nn->nfct_bound, true);
}

/*
 * ctnetlink may take a bound entry's helper away (a helper name of ""):
 * conntrack then never calls destroy, and the reference would stay in the
 * entry's helper data for good. The connection, as it ends, takes it back
 * itself. Only its own: the data of an entry whose helper was another's
 * holds no pointer to it.
 */
void nfvs_nfct_unbind_orphan(struct nf_conn *ct, struct nfvs_conn *cp)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (!help || rcu_access_pointer(help->helper))
		return;
	if (cmpxchg(nfvs_nfct_slot(help), cp, NULL) == cp)
		nfvs_conn_put(cp);
}

void nfvs_nfct_expect(struct sk_buff *skb, const union nf_inet_addr *saddr,
		      const union nf_inet_addr *daddr, __be16 dport)
{
	struct nf_conntrack_expect *exp;
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;
	int err;

	ct = nf_ct_get(skb, &ctinfo);
	/*
	 * Conntrack takes expectations only of an entry with a helper:
	 * nfvs's, or one a rule gave it (-j CT --helper ftp), which never
	 * sees the packets nfvs passes on and so cannot do this itself.
	 */
	help = ct ? nfct_help(ct) : NULL;
	if (!help || !rcu_access_pointer(help->helper))
		return;
	exp = nf_ct_expect_alloc(ct);
	if (!exp)
		return;
	nf_ct_expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, NFPROTO_IPV4,
			  saddr, daddr, IPPROTO_TCP, NULL, &dport);
	err = nf_ct_expect_related(exp, 0);
	if (err && err != -EALREADY)
		net_dbg_ratelimited("expectation refused (%d)\n", err);
	nf_ct_expect_put(exp);
}

static int nfvs_nfct_is_bound(struct nf_conn *ct, void *data)
{
	struct nf_conn_help *help = nfvs_nfct_help_ours(ct);

	return help && READ_ONCE(*nfvs_nfct_slot(help));
}

/*
 * Namespace exit, after the connections expired: entries that still hold
 * one (nfvs_nfct_kill() did not find them) go now, and their references
 * with them.
 */
void nfvs_nfct_net_exit(struct nfvs_net *nn)
{
	struct nf_ct_iter_data data = { .net = nn->net };

	if (READ_ONCE(nn->nfct_bound))
		nf_ct_iterate_cleanup_net(nfvs_nfct_is_bound, &data);
}

static int nfvs_nfct_is_ours(struct nf_conn *ct, void *data)
{
	return !!nfvs_nfct_help_ours(ct);
}

int nfvs_nfct_helpers_register(void)
{
	static const u8 protocols[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct nf_conntrack_helper *h;
	int err, i;

	for (i = 0; i < ARRAY_SIZE(protocols); i++) {
		h = &nfvs_nfct_tmpl[i];
		nfvs_ct_helper_init(h, NFPROTO_IPV4, protocols[i],
				    NFVS_NFCT_HELPER, &nfvs_nfct_policy, 0,
				    nfvs_nfct_help, THIS_MODULE);
		h->destroy = nfvs_nfct_destroy;
		err = nfvs_ct_helper_register(h, &nfvs_nfct_helper[i]);
		if (err)
			goto err_register;
	}
	return 0;

err_register:
	while (i-- > 0) {
		nf_conntrack_helper_unregister(nfvs_nfct_helper[i]);
		nfvs_nfct_helper[i] = NULL;
	}
	return err;
}

/*
 * Module exit, after every namespace's: no entry may keep nfvs's helper,
 * whose destroy callback is about to go away with the module.
 */
void nfvs_nfct_helpers_unregister(void)
{
	int i;

	nf_ct_iterate_destroy(nfvs_nfct_is_ours, NULL);
	for (i = ARRAY_SIZE(nfvs_nfct_helper) - 1; i >= 0; i--) {
		nf_conntrack_helper_unregister(nfvs_nfct_helper[i]);
		nfvs_nfct_helper[i] = NULL;
	}
}
