// SPDX-License-Identifier: GPL-2.0
/*
 * Harness canary for the debug kernel (tests/harness/canary.sh): loading it
 * with bug=NAME commits one bug that a detector must report, so that make
 * check proves each detector fails a run:
 *   lockdep       two locks taken in both orders (a circular dependency)
 *   atomic_sleep  a sleep with a spinlock held
 *   kasan         a read past the end of a kmalloc'ed object
 *   leak          a kmalloc'ed object whose only pointer is dropped
 * Never load it anywhere else.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "lockdep, atomic_sleep, kasan or leak");

static DEFINE_SPINLOCK(nfvs_canary_a);
static DEFINE_SPINLOCK(nfvs_canary_b);

static void nfvs_canary_lockdep(void)
{
	spin_lock(&nfvs_canary_a);
	spin_lock(&nfvs_canary_b);
	spin_unlock(&nfvs_canary_b);
	spin_unlock(&nfvs_canary_a);

	spin_lock(&nfvs_canary_b);
	spin_lock(&nfvs_canary_a);
	spin_unlock(&nfvs_canary_a);
	spin_unlock(&nfvs_canary_b);
}

static void nfvs_canary_atomic_sleep(void)
{
	spin_lock(&nfvs_canary_a);
	/* What every sleeping function of the kernel checks first. */
	might_sleep();
	msleep(20);
	spin_unlock(&nfvs_canary_a);
}

static int nfvs_canary_kasan(void)
{
	char *p = kmalloc(10, GFP_KERNEL);
	int v;

	if (!p)
		return -ENOMEM;
	OPTIMIZER_HIDE_VAR(p);
	v = READ_ONCE(p[16]);
	kfree(p);
	pr_info("nfvs_debug_canary: read %d past the end\n", v);
	return 0;
}

/*
 * Overwrites the stack below the caller: a freed task's stack is kept for
 * the next one and kmemleak scans it, so a stale copy of the leaked
 * pointer there would still count as a reference.
 */
static noinline void nfvs_canary_scrub(void)
{
	char buf[1024];

	memset(buf, 0, sizeof(buf));
	OPTIMIZER_HIDE_VAR(buf[0]);
}

static noinline int nfvs_canary_leak_one(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, 128);
	OPTIMIZER_HIDE_VAR(p);
	return 0;
}

static int nfvs_canary_leak(void)
{
	int i, err;

	for (i = 0; i < 16; i++) {
		err = nfvs_canary_leak_one();
		if (err)
			return err;
	}
	nfvs_canary_scrub();
	pr_info("nfvs_debug_canary: leaking 16 times 128 bytes\n");
	return 0;
}

static int __init nfvs_canary_init(void)
{
	if (!strcmp(bug, "lockdep"))
		nfvs_canary_lockdep();
	else if (!strcmp(bug, "atomic_sleep"))
		nfvs_canary_atomic_sleep();
	else if (!strcmp(bug, "kasan"))
		return nfvs_canary_kasan();
	else if (!strcmp(bug, "leak"))
		return nfvs_canary_leak();
	else
		return -EINVAL;
	return 0;
}

static void __exit nfvs_canary_exit(void)
{
}

module_init(nfvs_canary_init);
module_exit(nfvs_canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nfvs harness canary: bugs the debug kernel must report");
