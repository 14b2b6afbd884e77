// SPDX-License-Identifier: GPL-2.0
/*
 * The four netfilter hooks of the packet path, at the priorities fixed in
 * include/uapi/linux/nfvs.h.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <uapi/linux/nfvs.h>

#include "core.h"
#include "hooks.h"
#include "nfct.h"

static unsigned int nfvs_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	return nfvs_core_in(skb, state);
}

static unsigned int nfvs_forward_icmp(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	return nfvs_icmp_forward(state->net, skb);
}

static unsigned int nfvs_out(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	return nfvs_core_out(state->net, skb);
}

/*
 * What nfvs sent with a conntrack entry leaves at once: SNAT and MASQUERADE
 * must not rewrite it. In-tree IPVS's packets, marked alike, go on to them.
 */
static unsigned int nfvs_post_routing(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	if (!nfvs_was_sent(skb) || !nfvs_nfct_sent(state->net, skb))
		return NF_ACCEPT;
	state->okfn(state->net, state->sk, skb);
	return NF_STOLEN;
}

const struct nf_hook_ops nfvs_hook_ops[NFVS_HOOK_COUNT] = {
	{
		.hook = nfvs_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NFVS_PRI_IN,
	},
	{
		.hook = nfvs_forward_icmp,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NFVS_PRI_FWD_ICMP,
	},
	{
		.hook = nfvs_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NFVS_PRI_OUT,
	},
	{
		.hook = nfvs_post_routing,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NFVS_PRI_POST,
	},
};

int nfvs_hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, nfvs_hook_ops,
				     ARRAY_SIZE(nfvs_hook_ops));
}

void nfvs_hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, nfvs_hook_ops, ARRAY_SIZE(nfvs_hook_ops));
}
