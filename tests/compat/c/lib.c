// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against the core library headers: lists, ERR_PTR, WARN/BUG, atomics and
 * bitops, kmalloc and friends, the printf family, kstrto*, string helpers, refcount_t,
 * random numbers. Driven by tests/compat/lib_test.cc, which calls these entry points in
 * kernel tasks. Each returns 0 on success, else the line that failed.
 */
/* Truncation and allocation-failure cases are what these tests are about. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest lib: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

struct item {
	int v;
	struct list_head node;
};

/* The values of @head's items, in order, as digits ("123"); "" for an empty list. */
static const char *list_text(struct list_head *head)
{
	static char buf[64];
	struct item *it;
	int n = 0;

	list_for_each_entry(it, head, node)
		n += scnprintf(buf + n, sizeof(buf) - n, "%d", it->v);
	buf[n] = '\0';
	return buf;
}

static const char *list_text_reverse(struct list_head *head)
{
	static char buf[64];
	struct item *it;
	int n = 0;

	list_for_each_entry_reverse(it, head, node)
		n += scnprintf(buf + n, sizeof(buf) - n, "%d", it->v);
	buf[n] = '\0';
	return buf;
}

/* "Set up" items 0..n-1 in order; the one numbered @fail fails: unwind the ones before it. */
static int setup_all(struct list_head *head, int fail, char *undone, size_t len)
{
	struct item *it;
	size_t n = 0;

	list_for_each_entry(it, head, node) {
		if (it->v == fail)
			goto unwind;
	}
	return 0;
unwind:
	list_for_each_entry_continue_reverse(it, head, node)
		n += scnprintf(undone + n, len - n, "%d", it->v);
	return -EIO;
}

int ctest_lib_list(void)
{
	LIST_HEAD(head);
	LIST_HEAD(other);
	struct item items[6];
	struct item *it, *tmp;
	char undone[16] = "";
	int i;

	CHECK(list_empty(&head));
	CHECK(list_first_entry_or_null(&head, struct item, node) == NULL);
	CHECK(list_count_nodes(&head) == 0);
	for (i = 0; i < 6; i++) {
		items[i].v = i;
		list_add_tail(&items[i].node, &head);
	}
	CHECK(!strcmp(list_text(&head), "012345"));
	CHECK(!strcmp(list_text_reverse(&head), "543210"));
	CHECK(list_count_nodes(&head) == 6);
	CHECK(list_first_entry(&head, struct item, node) == &items[0]);
	CHECK(list_last_entry(&head, struct item, node) == &items[5]);
	CHECK(list_first_entry_or_null(&head, struct item, node) == &items[0]);
	CHECK(list_is_first(&items[0].node, &head) && !list_is_first(&items[1].node, &head));
	CHECK(list_is_last(&items[5].node, &head) && !list_is_last(&items[4].node, &head));
	CHECK(list_next_entry(&items[2], node) == &items[3]);
	CHECK(list_prev_entry(&items[2], node) == &items[1]);

	/* The classic unwind: items before the failing one, newest first. */
	CHECK(setup_all(&head, 4, undone, sizeof(undone)) == -EIO);
	CHECK(!strcmp(undone, "3210"));
	undone[0] = '\0';
	CHECK(setup_all(&head, 0, undone, sizeof(undone)) == -EIO);
	CHECK(!strcmp(undone, ""));

	/* continue: from the entry after a cursor. */
	it = &items[3];
	i = 0;
	list_for_each_entry_continue(it, &head, node)
		i = i * 10 + it->v;
	CHECK(i == 45);

	/* _safe: deleting the current entry while walking. */
	list_for_each_entry_safe(it, tmp, &head, node) {
		if (it->v % 2 == 0)
			list_del(&it->node);
	}
	CHECK(!strcmp(list_text(&head), "135"));
	CHECK(items[0].node.next == LIST_POISON1 && items[0].node.prev == LIST_POISON2);
	list_for_each_entry_safe_reverse(it, tmp, &head, node) {
		if (it->v == 5)
			list_del_init(&it->node);
	}
	CHECK(!strcmp(list_text(&head), "13"));
	CHECK(list_empty(&items[5].node));

	/* add (stack order), move, move_tail, rotate. */
	list_add(&items[0].node, &head);
	CHECK(!strcmp(list_text(&head), "013"));
	list_move_tail(&items[0].node, &head);
	CHECK(!strcmp(list_text(&head), "130"));
	list_move(&items[3].node, &head);
	CHECK(!strcmp(list_text(&head), "310"));
	list_rotate_left(&head);
	CHECK(!strcmp(list_text(&head), "103"));
	CHECK(!list_is_singular(&head));

	/* splice: in front, at the tail, leaving the source empty with _init. */
	list_add_tail(&items[2].node, &other);
	list_add_tail(&items[4].node, &other);
	list_splice_init(&other, &head);
	CHECK(list_empty(&other));
	CHECK(!strcmp(list_text(&head), "24103"));
	list_cut_position(&other, &head, &items[4].node);
	CHECK(!strcmp(list_text(&other), "24"));
	CHECK(!strcmp(list_text(&head), "103"));
	list_splice_tail_init(&other, &head);
	CHECK(!strcmp(list_text(&head), "10324"));
	list_replace_init(&items[3].node, &items[5].node);
	CHECK(!strcmp(list_text(&head), "10524"));
	CHECK(list_empty(&items[3].node));
	list_swap(&items[1].node, &items[4].node);
	CHECK(!strcmp(list_text(&head), "40521"));

	/* hlist. */
	{
		HLIST_HEAD(h);
		struct hnode {
			int v;
			struct hlist_node n;
		} hn[3];
		struct hnode *p;
		struct hlist_node *t;
		int sum = 0;

		CHECK(hlist_empty(&h));
		for (i = 0; i < 3; i++) {
			hn[i].v = i + 1;
			INIT_HLIST_NODE(&hn[i].n);
			CHECK(hlist_unhashed(&hn[i].n));
			hlist_add_head(&hn[i].n, &h);
		}
		hlist_for_each_entry(p, &h, n)
			sum = sum * 10 + p->v;
		CHECK(sum == 321);
		hlist_for_each_entry_safe(p, t, &h, n)
			if (p->v == 2)
				hlist_del_init(&p->n);
		sum = 0;
		hlist_for_each_entry(p, &h, n)
			sum = sum * 10 + p->v;
		CHECK(sum == 31);
		CHECK(hlist_unhashed(&hn[1].n));
		CHECK(hlist_count_nodes(&h) == 2);
	}

	/* hashtable. */
	{
		DEFINE_HASHTABLE(table, 3);
		struct hnode {
			int key;
			struct hlist_node n;
		} hn[20], *p;
		int found = 0, bkt;

		CHECK(hash_empty(table) && HASH_SIZE(table) == 8 && HASH_BITS(table) == 3);
		for (i = 0; i < 20; i++) {
			hn[i].key = i * 7;
			hash_add(table, &hn[i].n, hn[i].key);
		}
		hash_for_each_possible(table, p, n, 49)
			if (p->key == 49)
				found++;
		CHECK(found == 1);
		found = 0;
		hash_for_each(table, bkt, p, n)
			found++;
		CHECK(found == 20);
	}
	return 0;
}

/* Entries shared with ktl's C++ list_head: C fills, C++ walks (and the other way). */
struct shared_item {
	long value;
	struct list_head node;
};

int ctest_lib_list_fill(struct list_head *head, int n)
{
	int i;

	for (i = 1; i <= n; i++) {
		struct shared_item *s = kmalloc(sizeof(*s), GFP_KERNEL);

		CHECK(s);
		s->value = i;
		list_add_tail(&s->node, head);
	}
	return 0;
}

long ctest_lib_list_drain(struct list_head *head)
{
	struct shared_item *s, *t;
	long sum = 0;

	list_for_each_entry_safe(s, t, head, node) {
		sum = sum * 10 + s->value;
		list_del(&s->node);
		kfree(s);
	}
	return list_empty(head) ? sum : -1;
}

int ctest_lib_err(void)
{
	void *p = ERR_PTR(-ENOMEM);
	int x;

	CHECK(IS_ERR(p));
	CHECK(PTR_ERR(p) == -ENOMEM);
	CHECK(IS_ERR_OR_NULL(p) && IS_ERR_OR_NULL(NULL));
	CHECK(!IS_ERR(NULL) && !IS_ERR(&x) && !IS_ERR_OR_NULL(&x));
	CHECK(PTR_ERR_OR_ZERO(&x) == 0 && PTR_ERR_OR_ZERO(NULL) == 0);
	CHECK(PTR_ERR_OR_ZERO(ERR_PTR(-EINTR)) == -EINTR);
	CHECK(ERR_CAST(p) == p);
	CHECK(IS_ERR(ERR_PTR(-MAX_ERRNO)));
	CHECK(!IS_ERR((void *)(-MAX_ERRNO - 1L)));
	CHECK(PTR_ERR(ERR_PTR(-EDEADLK)) == -EDEADLK);
	CHECK(IS_ERR_VALUE((unsigned long)-EINVAL));
	return 0;
}

/* WARN_ON evaluates to its condition (for "if (WARN_ON(x)) return"). */
int ctest_lib_warn_on(int cond)
{
	if (WARN_ON(cond))
		return 1;
	return 0;
}

int ctest_lib_warn_fmt(int value)
{
	return WARN(value > 0, "ctest value %d is positive\n", value);
}

/* Three WARN_ON_ONCE(1): all return true, only the first reports. */
int ctest_lib_warn_once(void)
{
	int i, n = 0;

	for (i = 0; i < 3; i++)
		n += WARN_ON_ONCE(1);
	return n;
}

int ctest_lib_bug(void)
{
	pr_info("ctest lib: before BUG\n");
	BUG();
	pr_info("ctest lib: after BUG\n");
	return 0;
}

int ctest_lib_atomics(void)
{
	atomic_t a = ATOMIC_INIT(5);
	atomic64_t b = ATOMIC64_INIT(1LL << 40);
	atomic_long_t c = ATOMIC_LONG_INIT(-3);
	int old;
	long lv;
	unsigned long plain = 7;
	int ip = 1;

	CHECK(atomic_read(&a) == 5);
	atomic_inc(&a);
	atomic_add(4, &a);
	atomic_sub(2, &a);
	atomic_dec(&a);
	CHECK(atomic_read(&a) == 7);
	CHECK(atomic_inc_return(&a) == 8);
	CHECK(atomic_fetch_add(2, &a) == 8 && atomic_read(&a) == 10);
	CHECK(atomic_fetch_sub(1, &a) == 10);
	CHECK(atomic_sub_return(9, &a) == 0);
	CHECK(atomic_inc_and_test(&a) == false && atomic_dec_and_test(&a) == true);
	atomic_set(&a, 3);
	CHECK(atomic_cmpxchg(&a, 3, 9) == 3 && atomic_read(&a) == 9);
	CHECK(atomic_cmpxchg(&a, 3, 1) == 9 && atomic_read(&a) == 9);
	old = 4;
	CHECK(!atomic_try_cmpxchg(&a, &old, 5) && old == 9);
	CHECK(atomic_try_cmpxchg(&a, &old, 5) && atomic_read(&a) == 5);
	CHECK(atomic_xchg(&a, 11) == 5 && atomic_read(&a) == 11);
	CHECK(atomic_add_unless(&a, 1, 11) == false && atomic_read(&a) == 11);
	CHECK(atomic_add_unless(&a, 1, 10) == true && atomic_read(&a) == 12);
	atomic_set(&a, 0);
	CHECK(!atomic_inc_not_zero(&a) && atomic_read(&a) == 0);
	CHECK(atomic_dec_if_positive(&a) == -1 && atomic_read(&a) == 0);
	atomic_set(&a, 1);
	CHECK(atomic_inc_not_zero(&a) && atomic_read(&a) == 2);
	CHECK(atomic_sub_and_test(2, &a));
	CHECK(atomic_add_negative(-1, &a) && atomic_read(&a) == -1);
	atomic_set(&a, 0xf0);
	atomic_or(0x0f, &a);
	atomic_and(0x3c, &a);
	atomic_xor(0x01, &a);
	CHECK(atomic_read(&a) == 0x3d);
	CHECK(atomic_fetch_andnot(0x0c, &a) == 0x3d && atomic_read(&a) == 0x31);

	CHECK(atomic64_add_return(1, &b) == (1LL << 40) + 1);
	CHECK(atomic64_cmpxchg(&b, (1LL << 40) + 1, -1) == (1LL << 40) + 1);
	CHECK(atomic64_read(&b) == -1 && atomic64_inc_and_test(&b));
	atomic_long_add(5, &c);
	lv = atomic_long_read(&c);
	CHECK(lv == 2);
	CHECK(atomic_long_dec_return(&c) == 1 && atomic_long_dec_and_test(&c));

	/* On plain variables. */
	CHECK(cmpxchg(&plain, 7UL, 9UL) == 7 && plain == 9);
	CHECK(cmpxchg(&plain, 7UL, 1UL) == 9 && plain == 9);
	CHECK(xchg(&plain, 2UL) == 9 && plain == 2);
	old = 1;
	CHECK(try_cmpxchg(&ip, &old, 4) && ip == 4);
	CHECK(!try_cmpxchg(&ip, &old, 5) && old == 4);
	smp_mb();
	smp_store_release(&ip, 6);
	CHECK(smp_load_acquire(&ip) == 6);
	WRITE_ONCE(ip, 8);
	CHECK(READ_ONCE(ip) == 8);
	return 0;
}

int ctest_lib_bitops(void)
{
	DECLARE_BITMAP(map, 130);
	unsigned long word = 0, bit;
	int seen[8], n = 0;

	bitmap_zero(map, 130);
	CHECK(test_and_set_bit(3, map) == 0);
	CHECK(test_and_set_bit(3, map) == 1);
	CHECK(test_bit(3, map) && !test_bit(4, map));
	set_bit(70, map);
	__set_bit(129, map);
	CHECK(map[1] == 1UL << 6 && map[2] == 1UL << 1);
	CHECK(test_and_clear_bit(70, map) == 1 && test_and_clear_bit(70, map) == 0);
	change_bit(64, map);
	CHECK(test_bit(64, map));
	CHECK(test_and_change_bit(64, map) == 1 && !test_bit(64, map));
	CHECK(__test_and_set_bit(5, map) == 0 && __test_and_clear_bit(5, map) == 1);
	clear_bit(3, map);
	set_bit(10, map);
	set_bit(66, map);
	CHECK(find_first_bit(map, 130) == 10);
	CHECK(find_next_bit(map, 130, 11) == 66);
	CHECK(find_next_bit(map, 130, 67) == 129);
	CHECK(find_next_bit(map, 129, 67) == 129); /* none below size: size */
	CHECK(find_first_zero_bit(map, 130) == 0);
	CHECK(find_last_bit(map, 130) == 129);
	for_each_set_bit(bit, map, 130)
		seen[n++] = (int)bit;
	CHECK(n == 3 && seen[0] == 10 && seen[1] == 66 && seen[2] == 129);
	CHECK(bitmap_weight(map, 130) == 3 && bitmap_weight(map, 129) == 2);
	bitmap_fill(map, 130);
	CHECK(bitmap_full(map, 130) && find_first_zero_bit(map, 130) == 130);
	bitmap_clear(map, 60, 10);
	CHECK(find_first_zero_bit(map, 130) == 60 && find_next_bit(map, 130, 60) == 70);
	bitmap_zero(map, 130);
	bitmap_set(map, 62, 4);
	CHECK(map[0] == (3UL << 62) && map[1] == 3UL && bitmap_weight(map, 130) == 4);

	set_bit(0, &word);
	set_bit(63, &word);
	CHECK(word == (BIT(0) | BIT(63)));
	CHECK(BIT(5) == 32 && BIT_ULL(40) == 1ULL << 40);
	CHECK(GENMASK(7, 4) == 0xf0 && GENMASK_ULL(63, 62) == 0xc000000000000000ULL);
	CHECK(hweight8(0xff) == 8 && hweight16(0x1001) == 2 && hweight32(0xf0f0f0f0) == 16);
	CHECK(hweight64(~0ULL) == 64);
	CHECK(ffs(0) == 0 && ffs(1) == 1 && ffs(0x80) == 8);
	CHECK(fls(0) == 0 && fls(1) == 1 && fls(0x80000000u) == 32);
	CHECK(__ffs(0x80UL) == 7 && __fls(0x80UL) == 7 && ffz(0x7UL) == 3);
	CHECK(fls64(1ULL << 40) == 41 && fls64(0) == 0);
	CHECK(ilog2(1) == 0 && ilog2(4096) == 12 && ilog2(4097) == 12);
	CHECK(roundup_pow_of_two(5) == 8 && roundup_pow_of_two(8) == 8);
	CHECK(rounddown_pow_of_two(1000) == 512 && order_base_2(5) == 3);
	CHECK(is_power_of_2(64) && !is_power_of_2(0) && !is_power_of_2(65));
	CHECK(BITS_PER_LONG == 64 && BITS_TO_LONGS(65) == 2);
	CHECK(get_order(4096) == 0 && get_order(4097) == 1 && get_order(SZ_1M) == 8);
	return 0;
}

int ctest_lib_helpers(void)
{
	int arr[7];
	int a = 3, b = 9;
	unsigned int u = 5;
	u8 buf[4];

	CHECK(ARRAY_SIZE(arr) == 7);
	CHECK(min(a, b) == 3 && max(a, b) == 9 && min_t(int, -1, u) == -1);
	CHECK(max_t(unsigned long, 1, 2) == 2 && min3(4, 2, 8) == 2 && max3(4, 2, 8) == 8);
	CHECK(clamp(15, 0, 10) == 10 && clamp(-5, 0, 10) == 0 && clamp(5, 0, 10) == 5);
	swap(a, b);
	CHECK(a == 9 && b == 3);
	CHECK(abs(-7) == 7 && abs(7) == 7);
	CHECK(DIV_ROUND_UP(7, 2) == 4 && DIV_ROUND_UP(8, 2) == 4);
	CHECK(round_up(13, 8) == 16 && round_down(13, 8) == 8);
	CHECK(roundup(13, 5) == 15 && rounddown(13, 5) == 10);
	CHECK(ALIGN(13, 8) == 16 && IS_ALIGNED(16, 8) && !IS_ALIGNED(12, 8));
	CHECK(DIV_ROUND_CLOSEST(7, 2) == 4 && DIV_ROUND_CLOSEST(-7, 2) == -4);
	CHECK(U8_MAX == 255 && S8_MIN == -128 && U16_MAX == 65535 && S32_MAX == 2147483647);
	CHECK(INT_MAX == 2147483647 && UINT_MAX == 4294967295U && U64_MAX == ~0ULL);
	CHECK(LONG_MIN < 0 && ULONG_MAX == ~0UL && S64_MIN < 0);
	CHECK(upper_32_bits(0x123456789ULL) == 1 && lower_32_bits(0x123456789ULL) == 0x23456789);
	CHECK(hash_32(1, 8) < 256 && hash_64(12345, 10) < 1024);
	CHECK(struct_size((struct { int n; u64 a[]; } *)0, a, 3) == 8 + 3 * 8);
	CHECK(size_mul(SIZE_MAX, 2) == SIZE_MAX);
	CHECK(u == 5);
	put_unaligned_be32(0x01020304, buf);
	CHECK(buf[0] == 1 && buf[3] == 4 && get_unaligned_le32(buf) == 0x04030201);
	CHECK(cpu_to_be16(0x1234) == 0x3412 && le32_to_cpu(7) == 7);
	return 0;
}

int ctest_lib_slab(void)
{
	char *p, *q;
	int *arr;
	size_t i;
	struct kmem_cache *cache;
	void *objs[4];
	unsigned long page;
	void *v;

	CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	CHECK(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR) && ZERO_OR_NULL_PTR(NULL));
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);

	p = kmalloc(100, GFP_KERNEL);
	CHECK(p && !ZERO_OR_NULL_PTR(p));
	CHECK(((unsigned long)p & 15) == 0);
	CHECK(ksize(p) >= 100);
	memset(p, 0xaa, 100);
	kfree(p);
	p = kzalloc(100, GFP_KERNEL);
	CHECK(p);
	for (i = 0; i < 100; i++)
		CHECK(p[i] == 0);
	strcpy(p, "hello");
	p = krealloc(q = p, 4000, GFP_KERNEL);
	CHECK(p && !strcmp(p, "hello"));
	q = krealloc(p, 0, GFP_KERNEL);
	CHECK(q == ZERO_SIZE_PTR);
	p = krealloc(NULL, 8, GFP_KERNEL | __GFP_ZERO);
	CHECK(p && p[7] == 0);
	p = krealloc(p, 64, GFP_KERNEL | __GFP_ZERO);
	for (i = 0; i < 64; i++)
		CHECK(p[i] == 0);
	kfree(p);

	arr = kcalloc(10, sizeof(*arr), GFP_KERNEL);
	CHECK(arr);
	for (i = 0; i < 10; i++)
		CHECK(arr[i] == 0);
	kfree(arr);
	CHECK(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL) == NULL);
	CHECK(kcalloc(SIZE_MAX / 8, 16, GFP_KERNEL) == NULL);
	CHECK(kmalloc(struct_size((struct { int n; u64 a[]; } *)0, a, SIZE_MAX / 4),
		      GFP_KERNEL) == NULL);

	p = kmalloc(32, GFP_ATOMIC);
	CHECK(p);
	kfree_sensitive(p);

	cache = kmem_cache_create("ctest_cache", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	CHECK(cache && kmem_cache_size(cache) == 200);
	for (i = 0; i < 4; i++) {
		objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		CHECK(objs[i] && ((unsigned long)objs[i] & 63) == 0);
	}
	objs[3] = memset(objs[3], 1, 200);
	kmem_cache_free(cache, objs[3]);
	objs[3] = kmem_cache_zalloc(cache, GFP_KERNEL);
	CHECK(objs[3] && ((char *)objs[3])[199] == 0);
	for (i = 0; i < 4; i++)
		kmem_cache_free(cache, objs[i]);
	kmem_cache_destroy(cache);
	kmem_cache_destroy(NULL);

	page = __get_free_page(GFP_KERNEL);
	CHECK(page && (page & (PAGE_SIZE - 1)) == 0);
	free_page(page);
	page = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 2);
	CHECK(page && (page & (PAGE_SIZE - 1)) == 0 && ((char *)page)[4 * PAGE_SIZE - 1] == 0);
	free_pages(page, 2);

	v = vzalloc(1 << 20);
	CHECK(v && ((char *)v)[(1 << 20) - 1] == 0);
	vfree(v);
	vfree(NULL);
	v = kvmalloc_array(1000, 8, GFP_KERNEL);
	CHECK(v);
	kvfree(v);

	p = kstrdup("dup", GFP_KERNEL);
	CHECK(p && !strcmp(p, "dup"));
	kfree(p);
	CHECK(kstrdup(NULL, GFP_KERNEL) == NULL);
	p = kstrndup("abcdef", 3, GFP_KERNEL);
	CHECK(p && !strcmp(p, "abc"));
	kfree(p);
	p = kmemdup("xyz", 4, GFP_KERNEL);
	CHECK(p && !memcmp(p, "xyz", 4));
	kfree(p);
	return 0;
}

/* A sleeping allocation from atomic context: reported, and it still succeeds. */
int ctest_lib_kmalloc_atomic(int gfp_kernel)
{
	DEFINE_SPINLOCK(lock);
	void *p;

	spin_lock(&lock);
	p = kmalloc(16, gfp_kernel ? GFP_KERNEL : GFP_ATOMIC);
	spin_unlock(&lock);
	CHECK(p);
	kfree(p);
	return 0;
}

/* Allocations left for the C++ side to count (module_charge with a NULL owner). */
void *ctest_lib_alloc(size_t n)
{
	return kmalloc(n, GFP_KERNEL);
}

int ctest_lib_printf(void)
{
	char buf[16];
	char *s;
	int n;

	n = snprintf(buf, sizeof(buf), "%s-%d", "abcdefghij", 12345);
	CHECK(n == 16 && !strcmp(buf, "abcdefghij-1234"));
	n = snprintf(buf, 4, "%d", 123456);
	CHECK(n == 6 && !strcmp(buf, "123"));
	n = snprintf(NULL, 0, "%d", 42);
	CHECK(n == 2);
	n = scnprintf(buf, sizeof(buf), "%s", "0123456789abcdefXYZ");
	CHECK(n == 15 && !strcmp(buf, "0123456789abcde"));
	n = scnprintf(buf, 0, "%d", 1);
	CHECK(n == 0);
	n = scnprintf(buf, sizeof(buf), "%d", 77);
	CHECK(n == 2);
	n = sprintf(buf, "%lu %c %x", 12UL, 'z', 255);
	CHECK(n == 7 && !strcmp(buf, "12 z ff"));
	n = snprintf(buf, sizeof(buf), "%pe", ERR_PTR(-EINVAL));
	CHECK(!strcmp(buf, "-EINVAL") && n == 7);
	n = snprintf(buf, sizeof(buf), "%pe|%s", ERR_PTR(-ENOMEM), "x");
	CHECK(!strcmp(buf, "-ENOMEM|x"));
	n = snprintf(buf, 5, "%pe", ERR_PTR(-ETIMEDOUT));
	CHECK(n == 10 && !strcmp(buf, "-ETI"));
	snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	CHECK(!strcmp(buf, "(null)"));
	s = kasprintf(GFP_KERNEL, "%s/%d:%pe", "kthread", 7, ERR_PTR(-EINTR));
	CHECK(s && !strcmp(s, "kthread/7:-EINTR"));
	kfree(s);
	n = 0;
	CHECK(sscanf("12 abc", "%d %3s", &n, buf) == 2 && n == 12 && !strcmp(buf, "abc"));
	return 0;
}

int ctest_lib_kstrto(void)
{
	int i = -1;
	unsigned int u = 0;
	long l;
	unsigned long ul;
	long long ll;
	unsigned long long ull;
	u8 u8v;
	s8 s8v;
	u16 u16v;
	bool b;
	char *end;

	CHECK(kstrtoint("123", 10, &i) == 0 && i == 123);
	CHECK(kstrtoint("-123", 10, &i) == 0 && i == -123);
	CHECK(kstrtoint("+7", 10, &i) == 0 && i == 7);
	CHECK(kstrtoint("0x1f", 0, &i) == 0 && i == 31);
	CHECK(kstrtoint("017", 0, &i) == 0 && i == 15);
	CHECK(kstrtoint("1f", 16, &i) == 0 && i == 31);
	CHECK(kstrtoint("0x1F", 16, &i) == 0 && i == 31);
	CHECK(kstrtoint("42\n", 10, &i) == 0 && i == 42);
	i = 5;
	CHECK(kstrtoint("42 ", 10, &i) == -EINVAL && i == 5);
	CHECK(kstrtoint(" 42", 10, &i) == -EINVAL);
	CHECK(kstrtoint("42\n\n", 10, &i) == -EINVAL);
	CHECK(kstrtoint("", 10, &i) == -EINVAL);
	CHECK(kstrtoint("\n", 10, &i) == -EINVAL);
	CHECK(kstrtoint("abc", 10, &i) == -EINVAL);
	CHECK(kstrtoint("12a", 10, &i) == -EINVAL);
	CHECK(kstrtoint("2147483647", 10, &i) == 0 && i == 2147483647);
	CHECK(kstrtoint("2147483648", 10, &i) == -ERANGE && i == 2147483647);
	CHECK(kstrtoint("-2147483648", 10, &i) == 0 && i == (-2147483647 - 1));
	CHECK(kstrtoint("-2147483649", 10, &i) == -ERANGE);
	CHECK(kstrtouint("4294967295", 10, &u) == 0 && u == 4294967295U);
	CHECK(kstrtouint("4294967296", 10, &u) == -ERANGE);
	CHECK(kstrtouint("-1", 10, &u) == -EINVAL);
	CHECK(kstrtoul("18446744073709551615", 10, &ul) == 0 && ul == ~0UL);
	CHECK(kstrtoul("18446744073709551616", 10, &ul) == -ERANGE);
	CHECK(kstrtol("-9223372036854775808", 10, &l) == 0 && l == LONG_MIN);
	CHECK(kstrtol("9223372036854775808", 10, &l) == -ERANGE);
	CHECK(kstrtoll("-5", 0, &ll) == 0 && ll == -5);
	CHECK(kstrtoull("0xffffffffffffffff", 16, &ull) == 0 && ull == ~0ULL);
	CHECK(kstrtou8("255", 10, &u8v) == 0 && u8v == 255);
	CHECK(kstrtou8("256", 10, &u8v) == -ERANGE);
	CHECK(kstrtos8("-128", 10, &s8v) == 0 && s8v == -128);
	CHECK(kstrtos8("128", 10, &s8v) == -ERANGE);
	CHECK(kstrtou16("65535", 0, &u16v) == 0 && u16v == 65535);
	CHECK(kstrtoint("z", 36, &i) == 0 && i == 35);
	CHECK(kstrtoint("1", 1, &i) == -EINVAL);
	CHECK(kstrtobool("y", &b) == 0 && b);
	CHECK(kstrtobool("N", &b) == 0 && !b);
	CHECK(kstrtobool("on", &b) == 0 && b);
	CHECK(kstrtobool("off", &b) == 0 && !b);
	CHECK(kstrtobool("1\n", &b) == 0 && b);
	CHECK(kstrtobool("x", &b) == -EINVAL && kstrtobool("o", &b) == -EINVAL);
	CHECK(kstrtobool(NULL, &b) == -EINVAL);
	CHECK(simple_strtoul("123abc", &end, 10) == 123 && !strcmp(end, "abc"));
	CHECK(simple_strtol("-0x10z", &end, 0) == -16 && *end == 'z');
	CHECK(simple_strtoull("777", NULL, 8) == 511);
	return 0;
}

int ctest_lib_string(void)
{
	char buf[8];
	char text[32];
	static const char *const names[] = { "low", "mid", "high" };
	ssize_t n;

	n = strscpy(buf, "abc", sizeof(buf));
	CHECK(n == 3 && !strcmp(buf, "abc"));
	n = strscpy(buf, "abcdefghij", sizeof(buf));
	CHECK(n == -E2BIG && !strcmp(buf, "abcdefg"));
	n = strscpy(buf, "1234567");
	CHECK(n == 7 && !strcmp(buf, "1234567"));
	n = strscpy(buf, "x", 0);
	CHECK(n == -E2BIG);
	memset(buf, 'q', sizeof(buf));
	n = strscpy_pad(buf, "ab");
	CHECK(n == 2 && buf[2] == 0 && buf[7] == 0);
	CHECK(strlcpy(buf, "hello world", sizeof(buf)) == 11 && !strcmp(buf, "hello w"));
	strscpy(text, "ab");
	CHECK(strlcat(text, "cd", sizeof(text)) == 4 && !strcmp(text, "abcd"));
	strscpy(text, "  \tpadded  \n");
	CHECK(!strcmp(strim(text), "padded"));
	CHECK(!strcmp(skip_spaces("  x "), "x "));
	CHECK(sysfs_streq("on\n", "on") && sysfs_streq("on", "on\n") && !sysfs_streq("on", "onx"));
	CHECK(match_string(names, ARRAY_SIZE(names), "mid") == 1);
	CHECK(match_string(names, ARRAY_SIZE(names), "none") == -EINVAL);
	CHECK(sysfs_match_string(names, "high\n") == 2);
	memset(text, 0, sizeof(text));
	CHECK(memchr_inv(text, 0, sizeof(text)) == NULL);
	text[20] = 1;
	CHECK(memchr_inv(text, 0, sizeof(text)) == &text[20]);
	CHECK(strnchr("abcdef", 3, 'd') == NULL && *strnchr("abcdef", 4, 'd') == 'd');
	CHECK(str_has_prefix("module_param", "module_") == 7 && str_has_prefix("a", "b") == 0);
	CHECK(strlen("four") == 4 && strcmp("a", "b") < 0 && !strncmp("abc", "abd", 2));
	CHECK(strchr("hello", 'l') && strrchr("hello", 'l') - strchr("hello", 'l') == 1);
	CHECK(strstr("kthread/3", "/3") != NULL && strnlen("abc", 2) == 2);
	strscpy(text, "a-b-c");
	CHECK(!strcmp(strreplace(text, '-', '_'), "a_b_c"));
	return 0;
}

/* refcount_t: the normal life, then an increment from 0 (saturates, WARNs, never frees). */
int ctest_lib_refcount(void)
{
	refcount_t r = REFCOUNT_INIT(1);

	refcount_inc(&r);
	CHECK(refcount_read(&r) == 2);
	CHECK(!refcount_dec_and_test(&r));
	CHECK(refcount_dec_and_test(&r));
	CHECK(!refcount_inc_not_zero(&r) && refcount_read(&r) == 0);
	refcount_inc(&r); /* addition on 0; use-after-free */
	CHECK(refcount_read(&r) == (unsigned int)REFCOUNT_SATURATED);
	CHECK(!refcount_dec_and_test(&r));
	refcount_set(&r, 1);
	CHECK(refcount_dec_if_one(&r) && refcount_read(&r) == 0);
	refcount_set(&r, 2);
	CHECK(refcount_dec_not_one(&r) && !refcount_dec_not_one(&r));
	return 0;
}

/* The first @n outputs of a rnd_state seeded with @seed. */
void ctest_lib_prandom(u64 seed, u32 *out, int n)
{
	struct rnd_state st;
	int i;

	prandom_seed_state(&st, seed);
	for (i = 0; i < n; i++)
		out[i] = prandom_u32_state(&st);
}

void ctest_lib_prandom_bytes(u64 seed, u8 *out, size_t n)
{
	struct rnd_state st;

	prandom_seed_state(&st, seed);
	prandom_bytes_state(&st, out, n);
}

int ctest_lib_random(u64 *out, int n)
{
	int i;
	u8 bytes[13];

	for (i = 0; i < n; i++)
		out[i] = get_random_u64();
	for (i = 0; i < 1000; i++) {
		CHECK(get_random_u32_below(10) < 10);
		CHECK(get_random_u32_inclusive(5, 6) - 5 <= 1);
	}
	CHECK(get_random_u32_below(1) == 0 && get_random_u32_below(0) == 0);
	memset(bytes, 0, sizeof(bytes));
	get_random_bytes(bytes, sizeof(bytes));
	CHECK(memchr_inv(bytes, 0, sizeof(bytes)) != NULL);
	return 0;
}
