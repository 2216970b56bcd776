/* SPDX-License-Identifier: MIT */
/*
 * linux/slab.h - kmalloc and friends, and object caches (kmem_cache).
 *
 * Blocks come from the host's heap, 16-byte aligned (a cache created with a larger
 * alignment gets that). As on Linux: kmalloc(0) returns ZERO_SIZE_PTR (not NULL, but no
 * byte of it may be touched); kfree(NULL) and kfree(ZERO_SIZE_PTR) do nothing; krealloc()
 * keeps the contents; kzalloc/kcalloc and __GFP_ZERO zero the block; kmalloc_array and
 * kcalloc return NULL when n * size overflows. Allocating with a flag that may sleep
 * (GFP_KERNEL) from atomic context is reported ("BUG: sleeping function called from
 * invalid context") and then succeeds; use GFP_ATOMIC there.
 *
 * Every block records the module that allocated it (THIS_MODULE): a module's blocks still
 * allocated when it is unloaded are reported by rmmod ("N bytes in M allocations leaked").
 * Freeing may happen anywhere (another module, ktl).
 *
 * Context: any for GFP_ATOMIC/GFP_NOWAIT and kfree; task context for GFP_KERNEL.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/err.h>

/* The result of kmalloc(0): distinct from NULL, never dereferenceable. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define ARCH_KMALLOC_MINALIGN 16
#define ARCH_SLAB_MINALIGN 16
#define KMALLOC_MAX_SIZE (1UL << 30)
#define KMALLOC_MAX_CACHE_SIZE (PAGE_SIZE * 2)

/* kmem_cache_create() flags (accepted; SLAB_HWCACHE_ALIGN aligns objects to 64 bytes). */
typedef unsigned int slab_flags_t;
#define SLAB_CONSISTENCY_CHECKS ((slab_flags_t)0x00000100U)
#define SLAB_RED_ZONE ((slab_flags_t)0x00000400U)
#define SLAB_POISON ((slab_flags_t)0x00000800U)
#define SLAB_KMALLOC ((slab_flags_t)0x00001000U)
#define SLAB_HWCACHE_ALIGN ((slab_flags_t)0x00002000U)
#define SLAB_CACHE_DMA ((slab_flags_t)0x00004000U)
#define SLAB_CACHE_DMA32 ((slab_flags_t)0x00008000U)
#define SLAB_STORE_USER ((slab_flags_t)0x00010000U)
#define SLAB_PANIC ((slab_flags_t)0x00040000U)
#define SLAB_TYPESAFE_BY_RCU ((slab_flags_t)0x00080000U)
#define SLAB_TRACE ((slab_flags_t)0x00200000U)
#define SLAB_NOLEAKTRACE ((slab_flags_t)0x00800000U)
#define SLAB_NO_MERGE ((slab_flags_t)0x01000000U)
#define SLAB_ACCOUNT ((slab_flags_t)0x04000000U)
#define SLAB_RECLAIM_ACCOUNT ((slab_flags_t)0x00020000U)
#define SLAB_MEM_SPREAD 0
#define SLAB_NO_USER_FLAGS 0

struct kmem_cache;

__KTL_BEGIN_DECLS
void *__ktl_kmalloc_owned(size_t size, gfp_t flags, const struct module *owner)
	__ktl_abi(kmalloc_owned) __attribute__((__malloc__, __alloc_size__(1)));
void *__ktl_krealloc_owned(const void *p, size_t new_size, gfp_t flags,
			   const struct module *owner)
	__ktl_abi(krealloc_owned) __attribute__((__alloc_size__(2)));
void *__ktl_kvmalloc_owned(size_t size, gfp_t flags, const struct module *owner)
	__ktl_abi(kvmalloc_owned) __attribute__((__malloc__, __alloc_size__(1)));
/* Frees a block from any of the allocators here (NULL and ZERO_SIZE_PTR: no-ops). */
void kfree(const void *objp) __ktl_abi(kfree);
/* kfree() that first zeroes the block (keys, passwords). */
void kfree_sensitive(const void *objp) __ktl_abi(kfree_sensitive);
void kvfree(const void *addr) __ktl_abi(kvfree);
void kvfree_sensitive(const void *addr, size_t len) __ktl_abi(kvfree_sensitive);
/* The usable size of a kmalloc'ed block (at least what was asked for). */
size_t ksize(const void *objp) __ktl_abi(ksize);
size_t kmalloc_size_roundup(size_t size) __ktl_abi(kmalloc_size_roundup);

/**
 * kmem_cache_create - a cache of objects of one size
 * @name: the cache's name (reported when it is destroyed with objects still allocated)
 * @size: object size; @align: object alignment (0: the default, 16)
 * @flags: SLAB_* (SLAB_HWCACHE_ALIGN: 64-byte alignment; SLAB_PANIC: panic on failure)
 * @ctor: called on each object before kmem_cache_alloc() returns it (may be NULL)
 *
 * Context: task. Return: the cache, or NULL when out of memory.
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
	__ktl_abi(kmem_cache_create);
struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
					      unsigned int align, slab_flags_t flags,
					      unsigned int useroffset, unsigned int usersize,
					      void (*ctor)(void *))
	__ktl_abi(kmem_cache_create_usercopy);
/* Destroys a cache; objects still allocated from it are reported (and leaked). */
void kmem_cache_destroy(struct kmem_cache *s) __ktl_abi(kmem_cache_destroy);
void *__ktl_kmem_cache_alloc_owned(struct kmem_cache *s, gfp_t flags,
				   const struct module *owner)
	__ktl_abi(kmem_cache_alloc_owned) __attribute__((__malloc__));
void kmem_cache_free(struct kmem_cache *s, void *objp) __ktl_abi(kmem_cache_free);
unsigned int kmem_cache_size(struct kmem_cache *s) __ktl_abi(kmem_cache_size);
int kmem_cache_shrink(struct kmem_cache *s) __ktl_abi(kmem_cache_shrink);
__KTL_END_DECLS

/**
 * kmalloc - allocate @size bytes
 * Return: the block (16-byte aligned), ZERO_SIZE_PTR for @size 0, NULL when out of memory.
 */
static __always_inline void *kmalloc(size_t size, gfp_t flags)
{
	return __ktl_kmalloc_owned(size, flags, __KTL_ALLOC_OWNER);
}
static __always_inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}
/* Return: NULL also when @n * @size overflows. */
static __always_inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc(bytes, flags);
}
static __always_inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}
/*
 * krealloc - resize a kmalloc'ed block, keeping its contents (the new part is zeroed with
 * __GFP_ZERO). @p NULL allocates; @new_size 0 frees @p and returns ZERO_SIZE_PTR.
 * Return: the (possibly moved) block, or NULL with @p left intact when out of memory.
 */
static __always_inline void *__must_check krealloc(const void *p, size_t new_size, gfp_t flags)
{
	return __ktl_krealloc_owned(p, new_size, flags, __KTL_ALLOC_OWNER);
}
static __always_inline void *__must_check krealloc_array(void *p, size_t new_n, size_t new_size,
							gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(new_n, new_size, &bytes)))
		return NULL;
	return krealloc(p, bytes, flags);
}
#define kmalloc_node(size, flags, node) kmalloc(size, flags)
#define kzalloc_node(size, flags, node) kzalloc(size, flags)
#define kcalloc_node(n, size, flags, node) kcalloc(n, size, flags)
#define kmalloc_array_node(n, size, flags, node) kmalloc_array(n, size, flags)
#define kmalloc_track_caller(size, flags) kmalloc(size, flags)
#define kmalloc_node_track_caller(size, flags, node) kmalloc(size, flags)

/* kvmalloc: like kmalloc, for blocks that may be large; free with kvfree(). */
static __always_inline void *kvmalloc(size_t size, gfp_t flags)
{
	return __ktl_kvmalloc_owned(size, flags, __KTL_ALLOC_OWNER);
}
static __always_inline void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc(size, flags | __GFP_ZERO);
}
static __always_inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return kvmalloc(bytes, flags);
}
static __always_inline void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return kvmalloc_array(n, size, flags | __GFP_ZERO);
}
static __always_inline void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	return __ktl_krealloc_owned(p, size, flags, __KTL_ALLOC_OWNER);
}
#define kvmalloc_node(size, flags, node) kvmalloc(size, flags)
#define kvzalloc_node(size, flags, node) kvzalloc(size, flags)

/* kmem_cache_alloc - an object from @s (@ctor applied). Return: it, or NULL. */
static __always_inline void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	return __ktl_kmem_cache_alloc_owned(s, flags, __KTL_ALLOC_OWNER);
}
static __always_inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return kmem_cache_alloc(s, flags | __GFP_ZERO);
}
#define kmem_cache_alloc_node(s, flags, node) kmem_cache_alloc(s, flags)

/* A cache named after, and sized and aligned for, struct @__struct. */
#define KMEM_CACHE(__struct, __flags) \
	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct), \
			  (__flags), NULL)
#define KMEM_CACHE_USERCOPY(__struct, __flags, __field) KMEM_CACHE(__struct, __flags)

#endif /* _LINUX_SLAB_H */
