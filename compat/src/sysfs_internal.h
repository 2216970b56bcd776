// The C layouts of <linux/kobject.h> and <linux/sysfs.h> as the shim sees them, and the sysfs
// directory/file helpers device.cc builds on (sysfs.cc).
#pragma once

#include <cstddef>
#include <string>

struct ktl_kobject;
struct ktl_attribute;

struct ktl_list {
  ktl_list* next;
  ktl_list* prev;
};

struct ktl_attribute {
  const char* name;
  unsigned short mode;
};

struct ktl_attribute_group {
  const char* name;
  unsigned short (*is_visible)(ktl_kobject*, ktl_attribute*, int);
  unsigned short (*is_bin_visible)(ktl_kobject*, const void*, int);
  std::size_t (*bin_size)(ktl_kobject*, const void*, int);
  ktl_attribute** attrs;
  const void* const* bin_attrs;
};

struct ktl_sysfs_ops {
  long (*show)(ktl_kobject*, ktl_attribute*, char*);
  long (*store)(ktl_kobject*, ktl_attribute*, const char*, std::size_t);
};

struct ktl_kobj_type {
  void (*release)(ktl_kobject* kobj);
  const ktl_sysfs_ops* sysfs_ops;
  const ktl_attribute_group** default_groups;
  const void* (*child_ns_type)(const ktl_kobject* kobj);
  const void* (*namespace_)(const ktl_kobject* kobj);
  void (*get_ownership)(const ktl_kobject* kobj, unsigned* uid, unsigned* gid);
};

struct ktl_kset;

struct ktl_kobject {
  const char* name;
  ktl_list entry;
  ktl_kobject* parent;
  ktl_kset* kset;
  const ktl_kobj_type* ktype;
  void* sd;  // the shim's directory node
  int refs;  // struct kref
  unsigned state_initialized : 1;
  unsigned state_in_sysfs : 1;
  unsigned state_add_uevent_sent : 1;
  unsigned state_remove_uevent_sent : 1;
  unsigned uevent_suppress : 1;
};

struct ktl_kset {
  ktl_list list;
  bool list_lock;  // spinlock_t
  ktl_kobject kobj;
  const void* uevent_ops;
};

struct ktl_kobj_attribute {
  ktl_attribute attr;
  long (*show)(ktl_kobject* kobj, ktl_kobj_attribute* attr, char* buf);
  long (*store)(ktl_kobject* kobj, ktl_kobj_attribute* attr, const char* buf, std::size_t count);
};

namespace ktl::compat {

// The directory of a kobject in sysfs ("/sys/kernel/foo"), "" if it has none.
std::string kobj_path(const ktl_kobject* kobj);
int create_dir(ktl_kobject* kobj);
void remove_dir(ktl_kobject* kobj);
// A file for attr in dir_path (reported for unload checks with `report` as its ops).
int sysfs_add_file(ktl_kobject* kobj, const std::string& dir_path, const ktl_attribute* attr,
                   unsigned short mode, const void* report);
int create_group(ktl_kobject* kobj, const ktl_attribute_group* grp, bool update);
void remove_group(ktl_kobject* kobj, const ktl_attribute_group* grp);

}  // namespace ktl::compat

extern "C" {
ktl_kobject* ktl_kobject_get(ktl_kobject* kobj);
void ktl_kobject_put(ktl_kobject* kobj);
void ktl_kobject_init(ktl_kobject* kobj, const ktl_kobj_type* ktype);
int ktl_kobject_add(ktl_kobject* kobj, ktl_kobject* parent, const char* fmt, ...);
void ktl_kobject_del(ktl_kobject* kobj);
extern const ktl_sysfs_ops ktl_kobj_sysfs_ops;
}
