// list_head: the kernel's intrusive circular doubly linked list.
//
// Kernel-style code (wait queues, the kthread create list, work lists, compat modules) is written
// against this exact shape, so ktl keeps it rather than a C++ container: no allocation ever, O(1)
// unlink from anywhere, and an entry knows whether it is linked (list_empty on the entry itself
// after list_del_init).
#pragma once

// container_of() on kernel structs that are not standard-layout C++ types (they hold atomics and
// hooks) is well defined on GCC and Clang; silence the pedantic warning once here.
#pragma GCC diagnostic ignored "-Winvalid-offsetof"

#include <cstddef>

#include "ktl/base/compiler.h"

namespace ktl {

struct list_head {
  list_head* next;
  list_head* prev;
};

#define LIST_HEAD_INIT(name) {&(name), &(name)}
#define LIST_HEAD(name) ::ktl::list_head name = LIST_HEAD_INIT(name)

// `next` pointers are written with relaxed atomic stores (a plain move on x86 and arm64), because
// some readers test emptiness without the lock by design (waitqueue_active(), list_empty_careful());
// this keeps those intended races visible to ThreadSanitizer as atomics rather than bugs.
KTL_ALWAYS_INLINE void __list_set_next(list_head* e, list_head* next) noexcept {
  __atomic_store_n(&e->next, next, __ATOMIC_RELAXED);
}
KTL_ALWAYS_INLINE void INIT_LIST_HEAD(list_head* list) noexcept {
  __list_set_next(list, list);
  list->prev = list;
}
KTL_ALWAYS_INLINE void __list_add(list_head* n, list_head* prev, list_head* next) noexcept {
  next->prev = n;
  n->next = next;
  n->prev = prev;
  __list_set_next(prev, n);
}
// Insert after head (stack order).
KTL_ALWAYS_INLINE void list_add(list_head* n, list_head* head) noexcept {
  __list_add(n, head, head->next);
}
// Insert before head (queue order).
KTL_ALWAYS_INLINE void list_add_tail(list_head* n, list_head* head) noexcept {
  __list_add(n, head->prev, head);
}
KTL_ALWAYS_INLINE void __list_del(list_head* prev, list_head* next) noexcept {
  next->prev = prev;
  __list_set_next(prev, next);
}
// Unlinks the entry; it is left pointing at nothing useful (poisoned), as in Linux.
KTL_ALWAYS_INLINE void list_del(list_head* entry) noexcept {
  __list_del(entry->prev, entry->next);
  entry->next = reinterpret_cast<list_head*>(0x100);
  entry->prev = reinterpret_cast<list_head*>(0x122);
}
KTL_ALWAYS_INLINE void list_del_init(list_head* entry) noexcept {
  __list_del(entry->prev, entry->next);
  INIT_LIST_HEAD(entry);
}
// list_del_init() for an entry whose emptiness another CPU tests without the lock
// (list_empty_careful): the final store is a release, pairing with its acquire load.
KTL_ALWAYS_INLINE void list_del_init_careful(list_head* entry) noexcept {
  __list_del(entry->prev, entry->next);
  entry->prev = entry;
  __atomic_store_n(&entry->next, entry, __ATOMIC_RELEASE);
}
KTL_ALWAYS_INLINE bool list_empty_careful(const list_head* head) noexcept {
  return __atomic_load_n(&head->next, __ATOMIC_ACQUIRE) == head;
}
KTL_ALWAYS_INLINE void list_move_tail(list_head* entry, list_head* head) noexcept {
  __list_del(entry->prev, entry->next);
  list_add_tail(entry, head);
}
KTL_ALWAYS_INLINE void list_move(list_head* entry, list_head* head) noexcept {
  __list_del(entry->prev, entry->next);
  list_add(entry, head);
}
KTL_ALWAYS_INLINE bool list_empty(const list_head* head) noexcept {
  return __atomic_load_n(&head->next, __ATOMIC_RELAXED) == head;
}
KTL_ALWAYS_INLINE bool list_is_singular(const list_head* head) noexcept {
  return !list_empty(head) && head->next == head->prev;
}
KTL_ALWAYS_INLINE bool list_is_first(const list_head* entry, const list_head* head) noexcept {
  return entry->prev == head;
}
KTL_ALWAYS_INLINE bool list_is_last(const list_head* entry, const list_head* head) noexcept {
  return entry->next == head;
}
// Moves every entry of `list` to the tail of `head` and re-initialises `list`.
KTL_ALWAYS_INLINE void list_splice_tail_init(list_head* list, list_head* head) noexcept {
  if (list_empty(list)) return;
  list_head* first = list->next;
  list_head* last = list->prev;
  list_head* at = head->prev;
  first->prev = at;
  at->next = first;
  last->next = head;
  head->prev = last;
  INIT_LIST_HEAD(list);
}
KTL_ALWAYS_INLINE std::size_t list_count_nodes(const list_head* head) noexcept {
  std::size_t n = 0;
  for (const list_head* p = head->next; p != head; p = p->next) ++n;
  return n;
}

}  // namespace ktl

#ifndef container_of
#define container_of(ptr, type, member) \
  (reinterpret_cast<type*>(reinterpret_cast<char*>(ptr) - offsetof(type, member)))
#endif
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_first_entry_or_null(ptr, type, member) \
  (::ktl::list_empty(ptr) ? nullptr : list_first_entry(ptr, type, member))
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, n, head) \
  for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)
#define list_for_each_entry(pos, head, member)                              \
  for (pos = list_first_entry(head, __typeof__(*pos), member);              \
       &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)                      \
  for (pos = list_first_entry(head, __typeof__(*pos), member),              \
      n = list_next_entry(pos, member);                                     \
       &pos->member != (head); pos = n, n = list_next_entry(n, member))
