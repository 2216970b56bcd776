// <linux/kobject.h>, <linux/sysfs.h>: kobjects as directories under /sys, attributes as files
// whose cat/echo call the type's sysfs_ops (lib/kobject.c, fs/sysfs/ semantics and messages).
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "fs_node.h"
#include "kernel/kernel_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "sysfs_internal.h"

using ktl::compat::fs_node;
using ktl::compat::node_ptr;

extern "C" {
void ktl_dump_stack(void);
unsigned long ktl_copy_to_user(void* to, const void* from, unsigned long n);
unsigned long ktl_copy_from_user(void* to, const void* from, unsigned long n);
void* ktl_kmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner);
}

// The C layouts (linux/kobject.h, linux/sysfs.h), pinned.
static_assert(sizeof(ktl_kobject) == 64 && offsetof(ktl_kobject, parent) == 24 &&
              offsetof(ktl_kobject, kset) == 32 && offsetof(ktl_kobject, ktype) == 40 &&
              offsetof(ktl_kobject, sd) == 48 && offsetof(ktl_kobject, refs) == 56);
static_assert(sizeof(ktl_kobj_type) == 48 && offsetof(ktl_kobj_type, sysfs_ops) == 8 &&
              offsetof(ktl_kobj_type, default_groups) == 16);
static_assert(sizeof(ktl_attribute) == 16 && offsetof(ktl_attribute, mode) == 8);
static_assert(sizeof(ktl_attribute_group) == 48 && offsetof(ktl_attribute_group, attrs) == 32);
static_assert(sizeof(ktl_kobj_attribute) == 32 && offsetof(ktl_kobj_attribute, show) == 16 &&
              offsetof(ktl_kobj_attribute, store) == 24);
static_assert(sizeof(ktl_kset) == 96 && offsetof(ktl_kset, kobj) == 24 &&
              offsetof(ktl_kset, uevent_ops) == 88);

namespace ktl::compat {

namespace {

constexpr unsigned short kS_IFDIR = 0040000, kS_IFREG = 0100000;
constexpr unsigned kSysfsPrealloc = 010000;

struct kobj_dir : fs_node {
  ktl_kobject* kobj = nullptr;
};

struct attr_file : fs_node {
  ktl_kobject* kobj = nullptr;
  const ktl_attribute* attr = nullptr;
};

// "/kernel/foo" (the sysfs path the kernel prints) of an absolute "/sys/kernel/foo".
std::string sysfs_rel(const std::string& path) { return path.substr(4); }

void warn_dup(const std::string& path) {
  shim_printk(KERN_WARNING "sysfs: cannot create duplicate filename '%s'\n",
              sysfs_rel(path).c_str());
  ktl_dump_stack();
}

// show(): a zeroed page, then copy_to_user into the reader's buffer.
int attr_read(attr_file* f, std::string* out) {
  const ktl_sysfs_ops* ops = f->kobj->ktype ? f->kobj->ktype->sysfs_ops : nullptr;
  if (!(f->mode & 0444) || !ops || !ops->show) return -EACCES;
  // A zeroed, page-aligned page (sysfs_emit checks the alignment).
  std::unique_ptr<char, void (*)(void*)> page(
      static_cast<char*>(std::aligned_alloc(kPageSize, kPageSize)), std::free);
  if (!page) return -ENOMEM;
  std::memset(page.get(), 0, kPageSize);
  long n = ops->show(f->kobj, const_cast<ktl_attribute*>(f->attr), page.get());
  if (n < 0) return static_cast<int>(n);
  if (static_cast<std::size_t>(n) >= kPageSize) {
    shim_printk(KERN_WARNING "fill_read_buffer: %ps returned bad count\n",
                reinterpret_cast<void*>(ops->show));
    n = kPageSize - 1;
  }
  std::string text(static_cast<std::size_t>(n), '\0');
  if (n && ktl_copy_to_user(text.data(), page.get(), static_cast<unsigned long>(n)))
    return -EFAULT;
  *out = std::move(text);
  return 0;
}

// store(): the written bytes in a NUL-terminated kernel buffer, as often as needed to take them.
int attr_write(attr_file* f, const std::string& value) {
  const ktl_sysfs_ops* ops = f->kobj->ktype ? f->kobj->ktype->sysfs_ops : nullptr;
  if (!(f->mode & 0222) || !ops || !ops->store) return -EACCES;
  std::size_t done = 0;
  while (done < value.size()) {
    std::size_t len = value.size() - done;
    if (len > kPageSize) return -E2BIG;
    std::unique_ptr<char[]> buf(new char[len + 1]);
    if (ktl_copy_from_user(buf.get(), value.data() + done, len)) return -EFAULT;
    buf[len] = '\0';
    long r = ops->store(f->kobj, const_cast<ktl_attribute*>(f->attr), buf.get(), len);
    if (r < 0) return static_cast<int>(r);
    if (r == 0) break;
    done += std::min(static_cast<std::size_t>(r), len);
  }
  return 0;
}

kobj_dir* dir_of(const ktl_kobject* kobj) { return static_cast<kobj_dir*>(kobj->sd); }

// kobj->sd keeps its directory node alive (a child's directory disappears with its parent's,
// while the child kobject may still refer to it, as kernfs nodes are refcounted in Linux).
std::mutex& sd_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::map<const ktl_kobject*, node_ptr>& sd_refs() {
  static std::map<const ktl_kobject*, node_ptr>& m = *new std::map<const ktl_kobject*, node_ptr>;
  return m;
}

}  // namespace

// sysfs_add_file_mode_ns: the file `attr` of `kobj` in directory `dir_path`.
int sysfs_add_file(ktl_kobject* kobj, const std::string& dir_path, const ktl_attribute* attr,
                   unsigned short mode, const void* report) {
  if (!attr->name) return -EINVAL;
  auto f = std::make_shared<attr_file>();
  f->path = dir_path + "/" + attr->name;
  f->mode = static_cast<unsigned short>(kS_IFREG | (mode & 0777));
  f->kobj = kobj;
  f->attr = attr;
  f->ops = report;
  f->data = kobj;
  attr_file* raw = f.get();
  f->read = [raw](std::string* out) { return attr_read(raw, out); };
  f->write = [raw](const std::string& v) { return attr_write(raw, v); };
  int r = add_node(f);
  if (r == -EEXIST) warn_dup(f->path);
  return r;
}

std::string kobj_path(const ktl_kobject* kobj) {
  kobj_dir* d = dir_of(kobj);
  return d ? d->path : std::string();
}

// create_files / internal_create_group.
int create_group(ktl_kobject* kobj, const ktl_attribute_group* grp, bool update) {
  if (WARN_ON(!kobj || !kobj->sd)) return -EINVAL;
  if (!grp->attrs && !grp->bin_attrs) return 0;
  std::string dir = kobj_path(kobj);
  bool made_dir = false;
  if (grp->name) {
    std::string gpath = dir + "/" + grp->name;
    node_ptr existing = lookup(gpath);
    if (!(update && existing)) {
      auto d = std::make_shared<fs_node>();
      d->path = gpath;
      d->dir = true;
      d->mode = kS_IFDIR | 0755;
      d->ops = grp;
      d->data = kobj;
      int r = add_node(d);
      if (r) {
        if (r == -EEXIST) warn_dup(gpath);
        return r;
      }
      made_dir = true;
    }
    dir = gpath;
  }
  std::vector<std::string> made;
  int error = 0;
  if (grp->attrs) {
    for (int i = 0; grp->attrs[i]; ++i) {
      const ktl_attribute* a = grp->attrs[i];
      std::string fpath = dir + "/" + (a->name ? a->name : "");
      if (update) remove_tree(fpath);
      unsigned mode = a->mode;
      if (grp->is_visible) {
        mode = grp->is_visible(kobj, const_cast<ktl_attribute*>(a), i);
        if (!mode) continue;
      }
      WARN(mode & ~(kSysfsPrealloc | 0664), "Attribute %s: Invalid permissions 0%o\n", a->name,
           mode);
      mode &= kSysfsPrealloc | 0664;
      error = sysfs_add_file(kobj, dir, a, static_cast<unsigned short>(mode), a);
      if (error) break;
      made.push_back(fpath);
    }
  }
  if (error) {
    for (const std::string& p : made) remove_tree(p);
    if (made_dir) remove_tree(dir);
  }
  return error;
}

void remove_group(ktl_kobject* kobj, const ktl_attribute_group* grp) {
  std::string dir = kobj_path(kobj);
  if (grp->name) {
    std::string gpath = dir + "/" + grp->name;
    if (!lookup(gpath)) {
      WARN(1, "sysfs group '%s' not found for kobject '%s'\n", grp->name,
           kobj->name ? kobj->name : "");
      return;
    }
    remove_tree(gpath);
    return;
  }
  if (grp->attrs)
    for (int i = 0; grp->attrs[i]; ++i)
      if (grp->attrs[i]->name) remove_tree(dir + "/" + grp->attrs[i]->name);
}

// Who made a kobject whose type is ktl's (kobject_create_and_add, kset_create_and_add): the
// caller's code address stands for it in the unload checks.
std::mutex& creator_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::map<const ktl_kobject*, const void*>& creators() {
  static std::map<const ktl_kobject*, const void*>& m =
      *new std::map<const ktl_kobject*, const void*>;
  return m;
}

void set_creator(const ktl_kobject* kobj, const void* creator) {
  std::lock_guard<std::mutex> g(creator_mu());
  creators()[kobj] = creator;
}

const void* take_creator(const ktl_kobject* kobj) {
  std::lock_guard<std::mutex> g(creator_mu());
  auto it = creators().find(kobj);
  if (it == creators().end()) return nullptr;
  const void* c = it->second;
  creators().erase(it);
  return c;
}

// sysfs_create_dir_ns: the directory of kobj under its parent's (or /sys).
int create_dir(ktl_kobject* kobj) {
  std::string parent = "/sys";
  if (kobj->parent) {
    if (!kobj->parent->sd) return -ENOENT;
    parent = kobj_path(kobj->parent);
  }
  auto d = std::make_shared<kobj_dir>();
  d->path = parent + "/" + kobj->name;
  d->dir = true;
  d->mode = kS_IFDIR | 0755;
  d->kobj = kobj;
  const void* creator = take_creator(kobj);
  d->ops = creator ? creator : kobj->ktype;
  d->data = kobj;
  int r = add_node(d);
  if (r == -EEXIST) warn_dup(d->path);
  if (r) return r;
  kobj->sd = d.get();
  std::lock_guard<std::mutex> g(sd_mu());
  sd_refs()[kobj] = d;
  return 0;
}

void remove_dir(ktl_kobject* kobj) {
  kobj_dir* d = dir_of(kobj);
  if (!d) return;
  node_ptr keep;
  {
    std::lock_guard<std::mutex> g(sd_mu());
    auto it = sd_refs().find(kobj);
    if (it != sd_refs().end()) {
      keep = it->second;
      sd_refs().erase(it);
    }
  }
  kobj->sd = nullptr;
  remove_node_tree(d);  // the directory and every file in it
}

}  // namespace ktl::compat

using namespace ktl::compat;

// ---------------------------------------------------------------------------------------------
// kobjects
// ---------------------------------------------------------------------------------------------
namespace {

void kobj_get_ref(ktl_kobject* k) { __atomic_fetch_add(&k->refs, 1, __ATOMIC_RELAXED); }

// The kset's list of kobjects (linked through kobj->entry; the list is the C list_head).
void kset_join(ktl_kobject* kobj) {
  if (!kobj->kset) return;
  ktl_list* head = &kobj->kset->list;
  ktl_list* e = &kobj->entry;
  e->next = head;
  e->prev = head->prev;
  head->prev->next = e;
  head->prev = e;
}

void kset_leave(ktl_kobject* kobj) {
  if (!kobj->kset) return;
  ktl_list* e = &kobj->entry;
  if (e->next && e->next != e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
  }
  e->next = e->prev = e;
}

extern "C" void ktl_kobject_put(ktl_kobject* kobj);
extern "C" ktl_kobject* ktl_kobject_get(ktl_kobject* kobj);
extern "C" int ktl_sysfs_create_groups(ktl_kobject* kobj, const ktl_attribute_group** groups);
extern "C" void ktl_sysfs_remove_groups(ktl_kobject* kobj, const ktl_attribute_group** groups);

int kobject_add_internal(ktl_kobject* kobj) {
  if (!kobj) return -EINVAL;
  if (!kobj->name || !kobj->name[0]) {
    WARN(1, "kobject: (%p): attempted to be registered with empty name!\n",
         static_cast<void*>(kobj));
    return -EINVAL;
  }
  ktl_kobject* parent = ktl_kobject_get(kobj->parent);
  if (kobj->kset) {
    if (!parent) parent = ktl_kobject_get(&kobj->kset->kobj);
    kset_join(kobj);
    kobj->parent = parent;
  }
  int error = create_dir(kobj);
  if (!error && kobj->ktype && kobj->ktype->default_groups) {
    error = ktl_sysfs_create_groups(kobj, kobj->ktype->default_groups);
    if (error) remove_dir(kobj);
  }
  if (error) {
    kset_leave(kobj);
    ktl_kobject_put(parent);
    kobj->parent = nullptr;
    if (error == -EEXIST)
      shim_printk(KERN_ERR "kobject: %s failed for %s with -EEXIST, don't try to register "
                  "things with the same name in the same directory.\n",
                  "kobject_add_internal", kobj->name);
    else
      shim_printk(KERN_ERR "kobject: %s failed for %s (error: %d parent: %s)\n",
                  "kobject_add_internal", kobj->name, error,
                  parent && parent->name ? parent->name : "'none'");
    return error;
  }
  kobj->state_in_sysfs = 1;
  return 0;
}

int set_name_va(ktl_kobject* kobj, const char* fmt, va_list ap) {
  if (kobj->name && !fmt) return 0;
  std::string s = ktl::internal::kvformat(fmt, ap);
  std::replace(s.begin(), s.end(), '/', '!');  // as kobject_set_name_vargs
  char* name = strdup(s.c_str());
  if (!name) return -ENOMEM;
  std::free(const_cast<char*>(kobj->name));
  kobj->name = name;
  return 0;
}

int kobject_add_varg(ktl_kobject* kobj, ktl_kobject* parent, const char* fmt, va_list ap) {
  int r = set_name_va(kobj, fmt, ap);
  if (r) {
    shim_printk(KERN_ERR "kobject: can not set name properly!\n");
    return r;
  }
  kobj->parent = parent;
  return kobject_add_internal(kobj);
}

void kobject_del_internal(ktl_kobject* kobj) {
  if (!kobj->state_in_sysfs) return;
  remove_dir(kobj);
  kobj->state_in_sysfs = 0;
  kset_leave(kobj);
}

void kobject_release(ktl_kobject* kobj) {
  const ktl_kobj_type* t = kobj->ktype;
  const char* name = kobj->name;
  ktl_kobject* parent = kobj->parent;
  if (t && !t->release)
    shim_printk(KERN_WARNING "kobject: '%s' (%p): does not have a release() function, it is "
                "broken and must be fixed. See Documentation/core-api/kobject.rst.\n",
                name ? name : "", static_cast<void*>(kobj));
  if (kobj->state_in_sysfs) {
    kobject_del_internal(kobj);
    kobj->parent = nullptr;
  } else {
    parent = nullptr;
  }
  if (t && t->release) t->release(kobj);
  std::free(const_cast<char*>(name));
  ktl_kobject_put(parent);
}

// kobject_create_and_add() objects: kobj_sysfs_ops files, freed on the last put.
void dynamic_kobj_release(ktl_kobject* kobj) { delete kobj; }

long kobj_attr_show(ktl_kobject* kobj, ktl_attribute* attr, char* buf) {
  auto* kattr = reinterpret_cast<ktl_kobj_attribute*>(attr);
  return kattr->show ? kattr->show(kobj, kattr, buf) : -EIO;
}

long kobj_attr_store(ktl_kobject* kobj, ktl_attribute* attr, const char* buf, std::size_t count) {
  auto* kattr = reinterpret_cast<ktl_kobj_attribute*>(attr);
  return kattr->store ? kattr->store(kobj, kattr, buf, count) : -EIO;
}

}  // namespace

extern "C" {

const ktl_sysfs_ops ktl_kobj_sysfs_ops = {kobj_attr_show, kobj_attr_store};

}  // extern "C"

namespace {

const ktl_kobj_type g_dynamic_ktype = {dynamic_kobj_release, &ktl_kobj_sysfs_ops, nullptr,
                                       nullptr, nullptr, nullptr};
void kset_release(ktl_kobject* kobj) { delete reinterpret_cast<ktl_kset*>(
    reinterpret_cast<char*>(kobj) - offsetof(ktl_kset, kobj)); }
const ktl_kobj_type g_kset_ktype = {kset_release, &ktl_kobj_sysfs_ops, nullptr, nullptr, nullptr,
                                    nullptr};
// ktl's own directories: never released.
void static_release(ktl_kobject*) {}
const ktl_kobj_type g_static_ktype = {static_release, &ktl_kobj_sysfs_ops, nullptr, nullptr,
                                      nullptr, nullptr};

ktl_kobject* make_static(const char* name, ktl_kobject* parent) {
  auto* k = new ktl_kobject();
  std::memset(static_cast<void*>(k), 0, sizeof *k);
  k->ktype = &g_static_ktype;
  k->refs = 1;
  k->entry.next = k->entry.prev = &k->entry;
  k->state_initialized = 1;
  k->name = strdup(name);
  k->parent = parent;
  if (create_dir(k) == 0) k->state_in_sysfs = 1;
  if (auto* d = dir_of(k)) {
    d->ops = nullptr;  // ktl's: never reported
    d->data = nullptr;
    d->listed = false;
  }
  return k;
}

}  // namespace

extern "C" {

// /sys/kernel, /sys/kernel/mm, /sys/fs, /sys/firmware, /sys/hypervisor, /sys/power
ktl_kobject* ktl_kernel_kobj = make_static("kernel", nullptr);
ktl_kobject* ktl_mm_kobj = make_static("mm", ktl_kernel_kobj);
ktl_kobject* ktl_fs_kobj = make_static("fs", nullptr);
ktl_kobject* ktl_firmware_kobj = make_static("firmware", nullptr);
ktl_kobject* ktl_hypervisor_kobj = make_static("hypervisor", nullptr);
ktl_kobject* ktl_power_kobj = make_static("power", nullptr);

void ktl_kobject_init(ktl_kobject* kobj, const ktl_kobj_type* ktype) {
  if (!kobj) {
    shim_printk(KERN_ERR "kobject (%p): invalid kobject pointer!\n", static_cast<void*>(kobj));
    ktl_dump_stack();
    return;
  }
  if (!ktype) {
    shim_printk(KERN_ERR "kobject (%p): must have a ktype to be initialized properly!\n",
                static_cast<void*>(kobj));
    ktl_dump_stack();
    return;
  }
  if (kobj->state_initialized) {
    shim_printk(KERN_ERR "kobject (%p): tried to init an initialized object, something is "
                "seriously wrong.\n", static_cast<void*>(kobj));
    ktl_dump_stack();
  }
  kobj->refs = 1;
  kobj->entry.next = kobj->entry.prev = &kobj->entry;
  kobj->state_in_sysfs = 0;
  kobj->state_add_uevent_sent = 0;
  kobj->state_remove_uevent_sent = 0;
  kobj->state_initialized = 1;
  kobj->ktype = ktype;
}

int ktl_kobject_add(ktl_kobject* kobj, ktl_kobject* parent, const char* fmt, ...) {
  if (!kobj) return -EINVAL;
  if (!kobj->state_initialized) {
    shim_printk(KERN_ERR "kobject '%s' (%p): tried to add an uninitialized object, something "
                "is seriously wrong.\n", kobj->name ? kobj->name : "", static_cast<void*>(kobj));
    ktl_dump_stack();
    return -EINVAL;
  }
  va_list ap;
  va_start(ap, fmt);
  int r = kobject_add_varg(kobj, parent, fmt, ap);
  va_end(ap);
  return r;
}

int ktl_kobject_init_and_add(ktl_kobject* kobj, const ktl_kobj_type* ktype, ktl_kobject* parent,
                             const char* fmt, ...) {
  ktl_kobject_init(kobj, ktype);
  va_list ap;
  va_start(ap, fmt);
  int r = kobject_add_varg(kobj, parent, fmt, ap);
  va_end(ap);
  return r;
}

void ktl_kobject_del(ktl_kobject* kobj) {
  if (!kobj) return;
  ktl_kobject* parent = kobj->parent;
  kobject_del_internal(kobj);
  kobj->parent = nullptr;
  ktl_kobject_put(parent);
}

ktl_kobject* ktl_kobject_get(ktl_kobject* kobj) {
  if (kobj) {
    if (!kobj->state_initialized)
      WARN(1, "kobject: '%s' (%p): is not initialized, yet kobject_get() is being called.\n",
           kobj->name ? kobj->name : "", static_cast<void*>(kobj));
    kobj_get_ref(kobj);
  }
  return kobj;
}

ktl_kobject* ktl_kobject_get_unless_zero(ktl_kobject* kobj) {
  if (!kobj) return nullptr;
  int old = __atomic_load_n(&kobj->refs, __ATOMIC_RELAXED);
  do {
    if (old == 0) return nullptr;
  } while (!__atomic_compare_exchange_n(&kobj->refs, &old, old + 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
  return kobj;
}

void ktl_kobject_put(ktl_kobject* kobj) {
  if (!kobj) return;
  if (!kobj->state_initialized)
    WARN(1, "kobject: '%s' (%p): is not initialized, yet kobject_put() is being called.\n",
         kobj->name ? kobj->name : "", static_cast<void*>(kobj));
  int old = __atomic_fetch_sub(&kobj->refs, 1, __ATOMIC_ACQ_REL);
  if (old == 1) {
    kobject_release(kobj);
  } else if (old <= 0) {
    __atomic_store_n(&kobj->refs, INT32_MIN / 2, __ATOMIC_RELAXED);
    WARN_ONCE(1, "refcount_t: underflow; use-after-free.\n");
  }
}

ktl_kobject* ktl_kobject_create_and_add(const char* name, ktl_kobject* parent) {
  auto* kobj = new (std::nothrow) ktl_kobject();
  if (!kobj) return nullptr;
  std::memset(static_cast<void*>(kobj), 0, sizeof *kobj);
  ktl_kobject_init(kobj, &g_dynamic_ktype);
  set_creator(kobj, __builtin_return_address(0));
  int r = ktl_kobject_add(kobj, parent, "%s", name);
  if (r) {
    take_creator(kobj);
    shim_printk(KERN_WARNING "kobject: %s: kobject_add error: %d\n", "kobject_create_and_add", r);
    ktl_kobject_put(kobj);
    return nullptr;
  }
  return kobj;
}

int ktl_kobject_set_name(ktl_kobject* kobj, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = set_name_va(kobj, fmt, ap);
  va_end(ap);
  return r;
}

int ktl_kobject_rename(ktl_kobject* kobj, const char* new_name) {
  if (!kobj || !kobj->parent) return -EINVAL;
  if (kobj->state_in_sysfs) return -EBUSY;  // ktl cannot move a live directory
  char* name = strdup(new_name);
  if (!name) return -ENOMEM;
  std::free(const_cast<char*>(kobj->name));
  kobj->name = name;
  return 0;
}

char* ktl_kobject_get_path(const ktl_kobject* kobj, unsigned gfp) {
  std::string p = kobj->sd ? sysfs_rel(kobj_path(kobj)) : std::string("/") + (kobj->name ? kobj->name : "");
  auto* s = static_cast<char*>(ktl_kmalloc_owned(p.size() + 1, gfp, nullptr));
  if (s) std::memcpy(s, p.c_str(), p.size() + 1);
  return s;
}

int ktl_kobject_uevent(ktl_kobject*, int) { return 0; }
int ktl_kobject_uevent_env(ktl_kobject*, int, char**) { return 0; }

int ktl_kset_register(ktl_kset* k) {
  if (!k) return -EINVAL;
  if (!k->kobj.ktype) {
    shim_printk(KERN_ERR "must have a ktype to be initialized properly!\n");
    return -EINVAL;
  }
  ktl_kobject* kobj = &k->kobj;
  const ktl_kobj_type* t = kobj->ktype;
  ktl_kobject_init(kobj, t);
  k->list.next = k->list.prev = &k->list;
  return kobject_add_internal(kobj);
}

void ktl_kset_unregister(ktl_kset* k) {
  if (!k) return;
  ktl_kobject_del(&k->kobj);
  ktl_kobject_put(&k->kobj);
}

ktl_kset* ktl_kset_create_and_add(const char* name, const void* uevent_ops, ktl_kobject* parent) {
  auto* k = new (std::nothrow) ktl_kset();
  if (!k) return nullptr;
  std::memset(static_cast<void*>(k), 0, sizeof *k);
  k->kobj.name = strdup(name);
  k->kobj.parent = parent;
  k->kobj.ktype = &g_kset_ktype;
  k->uevent_ops = uevent_ops;
  set_creator(&k->kobj, __builtin_return_address(0));
  int r = ktl_kset_register(k);
  if (r) {
    take_creator(&k->kobj);
    shim_printk(KERN_WARNING "kobject: %s: kset_register error: %d\n", "kset_create_and_add", r);
    ktl_kobject_put(&k->kobj);
    return nullptr;
  }
  return k;
}

// ---------------------------------------------------------------------------------------------
// sysfs
// ---------------------------------------------------------------------------------------------
int ktl_sysfs_create_file(ktl_kobject* kobj, const ktl_attribute* attr) {
  if (WARN_ON(!kobj || !kobj->sd || !attr)) return -EINVAL;
  if (!kobj->ktype || !kobj->ktype->sysfs_ops) {
    WARN(1, "missing sysfs attribute operations for kobject: %s\n",
         kobj->name ? kobj->name : "");
    return -EINVAL;
  }
  return sysfs_add_file(kobj, kobj_path(kobj), attr, attr->mode, attr);
}

void ktl_sysfs_remove_file(ktl_kobject* kobj, const ktl_attribute* attr) {
  if (!kobj || !kobj->sd || !attr || !attr->name) return;
  remove_tree(kobj_path(kobj) + "/" + attr->name);
}

int ktl_sysfs_create_files(ktl_kobject* kobj, const ktl_attribute* const* attrs) {
  int err = 0;
  int i;
  for (i = 0; attrs[i] && !err; ++i) err = ktl_sysfs_create_file(kobj, attrs[i]);
  if (err)
    while (--i >= 0) ktl_sysfs_remove_file(kobj, attrs[i]);
  return err;
}

void ktl_sysfs_remove_files(ktl_kobject* kobj, const ktl_attribute* const* attrs) {
  for (int i = 0; attrs[i]; ++i) ktl_sysfs_remove_file(kobj, attrs[i]);
}

int ktl_sysfs_create_group(ktl_kobject* kobj, const ktl_attribute_group* grp) {
  return create_group(kobj, grp, false);
}

int ktl_sysfs_update_group(ktl_kobject* kobj, const ktl_attribute_group* grp) {
  return create_group(kobj, grp, true);
}

int ktl_sysfs_create_groups(ktl_kobject* kobj, const ktl_attribute_group** groups) {
  if (!groups) return 0;
  for (int i = 0; groups[i]; ++i) {
    int err = create_group(kobj, groups[i], false);
    if (err) {
      while (--i >= 0) remove_group(kobj, groups[i]);
      return err;
    }
  }
  return 0;
}

void ktl_sysfs_remove_group(ktl_kobject* kobj, const ktl_attribute_group* grp) {
  if (!kobj || !kobj->sd) return;
  remove_group(kobj, grp);
}

void ktl_sysfs_remove_groups(ktl_kobject* kobj, const ktl_attribute_group** groups) {
  if (!groups) return;
  for (int i = 0; groups[i]; ++i) ktl_sysfs_remove_group(kobj, groups[i]);
}

void ktl_sysfs_notify(ktl_kobject*, const char*, const char*) {}

int ktl_sysfs_emit(char* buf, const char* fmt, ...) {
  if (WARN(!buf || (reinterpret_cast<std::uintptr_t>(buf) & (kPageSize - 1)),
           "invalid sysfs_emit: buf:%p\n", static_cast<void*>(buf)))
    return 0;
  va_list ap;
  va_start(ap, fmt);
  std::string s = ktl::internal::kvformat(fmt, ap);
  va_end(ap);
  std::size_t n = std::min(s.size(), kPageSize - 1);
  std::memcpy(buf, s.data(), n);
  buf[n] = '\0';
  return static_cast<int>(n);
}

int ktl_sysfs_emit_at(char* buf, int at, const char* fmt, ...) {
  if (WARN(!buf || (reinterpret_cast<std::uintptr_t>(buf) & (kPageSize - 1)) || at < 0 ||
               static_cast<std::size_t>(at) >= kPageSize,
           "invalid sysfs_emit_at: buf:%p at:%d\n", static_cast<void*>(buf), at))
    return 0;
  va_list ap;
  va_start(ap, fmt);
  std::string s = ktl::internal::kvformat(fmt, ap);
  va_end(ap);
  std::size_t room = kPageSize - static_cast<std::size_t>(at) - 1;
  std::size_t n = std::min(s.size(), room);
  std::memcpy(buf + at, s.data(), n);
  buf[at + static_cast<int>(n)] = '\0';
  return static_cast<int>(n);
}

}  // extern "C"
