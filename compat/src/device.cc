// <linux/device.h> (classes, device_create, dev_printk), <linux/miscdevice.h> (/proc/misc) and
// <linux/cdev.h>. There are no device nodes: devices are directories under /sys/class whose
// "dev" file gives the numbers, as on Linux.
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

#include "../include/asm/ktl-fs.h"
#include "fs_node.h"
#include "kernel/kernel_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "sysfs_internal.h"

using namespace ktl::compat;

// struct class, struct device, struct device_attribute, struct miscdevice, struct cdev.
struct ktl_class {
  const char* name;
  const ktl_attribute_group** class_groups;
  const ktl_attribute_group** dev_groups;
  void* dev_uevent;
  void* devnode;
  void* class_release;
  void* dev_release;
  void* shutdown_pre;
  const void* ns_type;
  void* namespace_;
  void* get_ownership;
  const void* pm;
};

struct ktl_device {
  ktl_kobject kobj;
  ktl_device* parent;
  const char* init_name;
  const void* type;
  const void* bus;
  void* driver;
  void* platform_data;
  void* driver_data;
  unsigned devt;
  unsigned id;
  const ktl_class* cls;
  const ktl_attribute_group** groups;
  void (*release)(ktl_device* dev);
};

struct ktl_device_attribute {
  ktl_attribute attr;
  long (*show)(ktl_device* dev, ktl_device_attribute* attr, char* buf);
  long (*store)(ktl_device* dev, ktl_device_attribute* attr, const char* buf, std::size_t count);
};

struct ktl_miscdevice {
  int minor;
  const char* name;
  const ::file_operations* fops;
  ktl_list list;
  ktl_device* parent;
  ktl_device* this_device;
  const ktl_attribute_group** groups;
  const char* nodename;
  unsigned short mode;
};

struct ktl_cdev {
  ktl_kobject kobj;
  const ::module* owner;
  const ::file_operations* ops;
  ktl_list list;
  unsigned dev;
  unsigned count;
};

static_assert(sizeof(ktl_class) == 96 && offsetof(ktl_class, devnode) == 32);
static_assert(offsetof(ktl_device, parent) == 64 && offsetof(ktl_device, init_name) == 72 &&
              offsetof(ktl_device, driver_data) == 112 && offsetof(ktl_device, devt) == 120 &&
              offsetof(ktl_device, cls) == 128 && sizeof(ktl_device) == 152);
static_assert(sizeof(ktl_device_attribute) == 32);
static_assert(offsetof(ktl_miscdevice, fops) == 16 && offsetof(ktl_miscdevice, this_device) == 48 &&
              offsetof(ktl_miscdevice, groups) == 56 && sizeof(ktl_miscdevice) == 80);
static_assert(offsetof(ktl_cdev, owner) == 64 && offsetof(ktl_cdev, ops) == 72 &&
              offsetof(ktl_cdev, dev) == 96 && offsetof(ktl_cdev, count) == 100 &&
              sizeof(ktl_cdev) == 104);

extern "C" {
long ktl_simple_read_from_buffer(void* to, std::size_t count, long long* ppos, const void* from,
                                 std::size_t available);
int ktl_sysfs_create_file(ktl_kobject* kobj, const ktl_attribute* attr);
void ktl_sysfs_remove_file(ktl_kobject* kobj, const ktl_attribute* attr);
int ktl_sysfs_create_groups(ktl_kobject* kobj, const ktl_attribute_group** groups);
ktl_kobject* ktl_kobject_create_and_add(const char* name, ktl_kobject* parent);
}

namespace {

void* ERR_PTR_(long error) { return reinterpret_cast<void*>(error); }

constexpr unsigned kMinorBits = 20;
constexpr int kMiscMajor = 10;
constexpr int kMiscDynamicMinor = 255;
constexpr int kDynamicMinors = 128;

std::mutex& dev_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}

// --- the device kobject type ----------------------------------------------------------------
long dev_attr_show(ktl_kobject* kobj, ktl_attribute* attr, char* buf) {
  auto* dev = reinterpret_cast<ktl_device*>(kobj);
  auto* da = reinterpret_cast<ktl_device_attribute*>(attr);
  return da->show ? da->show(dev, da, buf) : -EIO;
}

long dev_attr_store(ktl_kobject* kobj, ktl_attribute* attr, const char* buf, std::size_t count) {
  auto* dev = reinterpret_cast<ktl_device*>(kobj);
  auto* da = reinterpret_cast<ktl_device_attribute*>(attr);
  return da->store ? da->store(dev, da, buf, count) : -EIO;
}

const ktl_sysfs_ops g_dev_sysfs_ops = {dev_attr_show, dev_attr_store};

void device_release(ktl_kobject* kobj) {
  auto* dev = reinterpret_cast<ktl_device*>(kobj);
  if (dev->release) dev->release(dev);
  delete dev;
}

const ktl_kobj_type g_device_ktype = {device_release, &g_dev_sysfs_ops, nullptr, nullptr, nullptr,
                                      nullptr};

long dev_show(ktl_device* dev, ktl_device_attribute*, char* buf) {
  return std::snprintf(buf, kPageSize, "%u:%u\n", dev->devt >> kMinorBits,
                       dev->devt & ((1u << kMinorBits) - 1));
}
ktl_device_attribute g_dev_attr_dev = {{"dev", 0444}, dev_show, nullptr};

// --- classes -------------------------------------------------------------------------------------
struct class_rec {
  const ktl_class* cls;
  ktl_kobject* kobj;      // /sys/class/NAME
  bool owned;             // made by class_create (freed by class_destroy)
  std::vector<ktl_device*> devices;
};

std::vector<class_rec>& classes() {
  static std::vector<class_rec>& v = *new std::vector<class_rec>;
  return v;
}

ktl_kobject* class_root() {
  static ktl_kobject* root = ktl_kobject_create_and_add("class", nullptr);
  return root;
}

class_rec* find_class(const ktl_class* cls) {
  for (class_rec& r : classes())
    if (r.cls == cls) return &r;
  return nullptr;
}

// `report`: what the unload checks see of the class directory.
int register_class(const ktl_class* cls, bool owned, const void* report) {
  if (!cls || !cls->name) return -EINVAL;
  ktl_kobject* root = class_root();
  ktl_kobject* k = ktl_kobject_create_and_add(cls->name, root);
  if (!k) return -EEXIST;
  if (auto* d = static_cast<fs_node*>(k->sd)) {
    d->ops = report;
    d->listed = report != nullptr;
  }
  {
    std::lock_guard<std::mutex> g(dev_mu());
    classes().push_back({cls, k, owned, {}});
  }
  if (cls->class_groups) ktl_sysfs_create_groups(k, cls->class_groups);
  return 0;
}

void unregister_device(ktl_device* dev) {
  ktl_kobject_del(&dev->kobj);
  ktl_kobject_put(&dev->kobj);
}

void unregister_class(const ktl_class* cls) {
  class_rec rec;
  {
    std::lock_guard<std::mutex> g(dev_mu());
    auto& v = classes();
    auto it = std::find_if(v.begin(), v.end(), [&](const class_rec& r) { return r.cls == cls; });
    if (it == v.end()) return;
    rec = *it;
    v.erase(it);
  }
  for (ktl_device* d : rec.devices) unregister_device(d);
  ktl_kobject_del(rec.kobj);
  ktl_kobject_put(rec.kobj);
  if (rec.owned) {
    std::free(const_cast<char*>(rec.cls->name));
    delete rec.cls;
  }
}

ktl_device* create_device(const ktl_class* cls, ktl_device* parent, unsigned devt, void* drvdata,
                          const ktl_attribute_group** groups, const std::string& name) {
  ktl_kobject* cls_kobj;
  {
    std::lock_guard<std::mutex> g(dev_mu());
    class_rec* rec = find_class(cls);
    if (!rec) return static_cast<ktl_device*>(ERR_PTR_(-EINVAL));
    cls_kobj = rec->kobj;
  }
  auto* dev = new (std::nothrow) ktl_device();
  if (!dev) return static_cast<ktl_device*>(ERR_PTR_(-ENOMEM));
  std::memset(static_cast<void*>(dev), 0, sizeof *dev);
  dev->parent = parent;
  dev->devt = devt;
  dev->driver_data = drvdata;
  dev->cls = cls;
  dev->groups = groups;
  ktl_kobject_init(&dev->kobj, &g_device_ktype);
  int r = ktl_kobject_add(&dev->kobj, cls_kobj, "%s", name.c_str());
  if (r) {
    ktl_kobject_put(&dev->kobj);
    return static_cast<ktl_device*>(ERR_PTR_(r));
  }
  if (devt) ktl_sysfs_create_file(&dev->kobj, &g_dev_attr_dev.attr);
  if (cls->dev_groups) ktl_sysfs_create_groups(&dev->kobj, cls->dev_groups);
  if (groups) ktl_sysfs_create_groups(&dev->kobj, groups);
  if (auto* d = static_cast<fs_node*>(dev->kobj.sd)) {
    d->ops = cls;
    d->data = drvdata;
  }
  std::lock_guard<std::mutex> g(dev_mu());
  if (class_rec* rec = find_class(cls)) rec->devices.push_back(dev);
  return dev;
}

void forget_device(ktl_device* dev) {
  std::lock_guard<std::mutex> g(dev_mu());
  for (class_rec& r : classes()) {
    auto it = std::find(r.devices.begin(), r.devices.end(), dev);
    if (it != r.devices.end()) r.devices.erase(it);
  }
}

// --- misc ----------------------------------------------------------------------------------------
struct misc_state {
  ktl_class cls{};
  std::vector<ktl_miscdevice*> list;  // newest first
  std::vector<bool> dyn_used = std::vector<bool>(kDynamicMinors);
  std::vector<int> ext_used;  // dynamic minors from 256 on
};

misc_state& misc() {
  static misc_state& s = *new misc_state;
  return s;
}

int read_proc_misc(std::string* out) {
  std::string s;
  std::lock_guard<std::mutex> g(dev_mu());
  char line[128];
  for (ktl_miscdevice* m : misc().list) {
    std::snprintf(line, sizeof line, "%3i %s\n", m->minor, m->name ? m->name : "");
    s += line;
  }
  *out = std::move(s);
  return 0;
}

// misc_minor_alloc(): 127 downwards, then from 256 up.
int misc_minor_alloc() {
  misc_state& ms = misc();
  for (int i = 0; i < kDynamicMinors; ++i) {
    int minor = kDynamicMinors - 1 - i;
    if (!ms.dyn_used[static_cast<std::size_t>(minor)]) {
      bool static_taken = false;
      for (ktl_miscdevice* m : ms.list)
        if (m->minor == minor) static_taken = true;
      if (static_taken) continue;
      ms.dyn_used[static_cast<std::size_t>(minor)] = true;
      return minor;
    }
  }
  for (int minor = kMiscDynamicMinor + 1; minor < (1 << kMinorBits); ++minor) {
    if (std::find(ms.ext_used.begin(), ms.ext_used.end(), minor) == ms.ext_used.end()) {
      ms.ext_used.push_back(minor);
      return minor;
    }
  }
  return -EBUSY;
}

void misc_minor_free(int minor) {
  misc_state& ms = misc();
  if (minor >= 0 && minor < kDynamicMinors) ms.dyn_used[static_cast<std::size_t>(minor)] = false;
  ms.ext_used.erase(std::remove(ms.ext_used.begin(), ms.ext_used.end(), minor), ms.ext_used.end());
}

std::string misc_key(const ktl_miscdevice* m) {
  return std::string("/sys/class/misc/") + (m->name ? m->name : "");
}

void misc_unregister(ktl_miscdevice* m, bool drop_entry) {
  {
    std::lock_guard<std::mutex> g(dev_mu());
    auto& l = misc().list;
    auto it = std::find(l.begin(), l.end(), m);
    if (it == l.end()) return;
    l.erase(it);
  }
  if (drop_entry) drop_extra_entry(misc_key(m));
  if (m->this_device && !(reinterpret_cast<std::uintptr_t>(m->this_device) >= static_cast<std::uintptr_t>(-4095))) {
    forget_device(m->this_device);
    unregister_device(m->this_device);
  }
  std::lock_guard<std::mutex> g(dev_mu());
  misc_minor_free(m->minor);
}

struct boot_devices {
  boot_devices() {
    misc().cls.name = "misc";
    register_class(&misc().cls, false, nullptr);
    auto n = std::make_shared<fs_node>();
    n->path = "/proc/misc";
    n->mode = 0100444;
    n->listed = false;
    n->read = read_proc_misc;
    add_node(n);
  }
} g_boot_devices;

}  // namespace

extern "C" {

// --- classes and devices -------------------------------------------------------------------------
ktl_class* ktl_class_create(const char* name) {
  auto* cls = new (std::nothrow) ktl_class();
  if (!cls) return static_cast<ktl_class*>(ERR_PTR_(-ENOMEM));
  cls->name = strdup(name);
  int r = register_class(cls, true, __builtin_return_address(0));
  if (r) {
    std::free(const_cast<char*>(cls->name));
    delete cls;
    return static_cast<ktl_class*>(ERR_PTR_(r));
  }
  return cls;
}

void ktl_class_destroy(const ktl_class* cls) {
  if (!cls || reinterpret_cast<std::uintptr_t>(cls) >= static_cast<std::uintptr_t>(-4095)) return;
  unregister_class(cls);
}

int ktl_class_register(const ktl_class* cls) { return register_class(cls, false, cls); }

void ktl_class_unregister(const ktl_class* cls) { unregister_class(cls); }

ktl_device* ktl_device_create(const ktl_class* cls, ktl_device* parent, unsigned devt,
                              void* drvdata, const char* fmt, ...) {
  if (!cls || reinterpret_cast<std::uintptr_t>(cls) >= static_cast<std::uintptr_t>(-4095))
    return static_cast<ktl_device*>(ERR_PTR_(-ENODEV));
  va_list ap;
  va_start(ap, fmt);
  std::string name = ktl::internal::kvformat(fmt, ap);
  va_end(ap);
  return create_device(cls, parent, devt, drvdata, nullptr, name);
}

void ktl_device_unregister(ktl_device* dev) {
  if (!dev) return;
  forget_device(dev);
  unregister_device(dev);
}

void ktl_device_destroy(const ktl_class* cls, unsigned devt) {
  ktl_device* dev = nullptr;
  {
    std::lock_guard<std::mutex> g(dev_mu());
    if (class_rec* rec = find_class(cls))
      for (ktl_device* d : rec->devices)
        if (d->devt == devt) dev = d;
  }
  if (dev) ktl_device_unregister(dev);
}

ktl_device* ktl_get_device(ktl_device* dev) {
  if (dev) ktl_kobject_get(&dev->kobj);
  return dev;
}

void ktl_put_device(ktl_device* dev) {
  if (dev) ktl_kobject_put(&dev->kobj);
}

int ktl_device_create_file(ktl_device* dev, const ktl_device_attribute* attr) {
  if (!dev) return -EINVAL;
  return ktl_sysfs_create_file(&dev->kobj, &attr->attr);
}

void ktl_device_remove_file(ktl_device* dev, const ktl_device_attribute* attr) {
  if (dev) ktl_sysfs_remove_file(&dev->kobj, &attr->attr);
}

void ktl__dev_printk(const char* level, const ktl_device* dev, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string msg = ktl::internal::kvformat(fmt, ap);
  va_end(ap);
  if (!dev) {
    ktl::printk("%s(NULL device *): %s", level, msg.c_str());
    return;
  }
  const char* drv = dev->cls && dev->cls->name ? dev->cls->name : "";
  const char* name = dev->init_name ? dev->init_name : dev->kobj.name ? dev->kobj.name : "";
  ktl::printk("%s%s %s: %s", level, drv, name, msg.c_str());
}

// --- misc ----------------------------------------------------------------------------------------
int ktl_misc_register(ktl_miscdevice* misc_dev) {
  bool dynamic = misc_dev->minor == kMiscDynamicMinor;
  misc_dev->list.next = misc_dev->list.prev = &misc_dev->list;
  if (!misc_dev->name) return -EINVAL;
  {
    std::lock_guard<std::mutex> g(dev_mu());
    if (dynamic) {
      int m = misc_minor_alloc();
      if (m < 0) return -EBUSY;
      misc_dev->minor = m;
    } else {
      for (ktl_miscdevice* c : misc().list)
        if (c->minor == misc_dev->minor) return -EBUSY;
    }
  }
  unsigned devt = (static_cast<unsigned>(kMiscMajor) << kMinorBits) |
                  static_cast<unsigned>(misc_dev->minor);
  ktl_device* dev = create_device(&misc().cls, misc_dev->parent, devt, misc_dev, misc_dev->groups,
                                  misc_dev->name);
  if (reinterpret_cast<std::uintptr_t>(dev) >= static_cast<std::uintptr_t>(-4095)) {
    std::lock_guard<std::mutex> g(dev_mu());
    if (dynamic) {
      misc_minor_free(misc_dev->minor);
      misc_dev->minor = kMiscDynamicMinor;
    }
    misc_dev->this_device = dev;
    return static_cast<int>(reinterpret_cast<std::intptr_t>(dev));
  }
  misc_dev->this_device = dev;
  if (auto* d = static_cast<fs_node*>(dev->kobj.sd)) d->listed = false;  // reported as below
  {
    std::lock_guard<std::mutex> g(dev_mu());
    misc().list.insert(misc().list.begin(), misc_dev);
  }
  add_extra_entry(misc_key(misc_dev), misc_dev->fops, misc_dev,
                  [misc_dev] { misc_unregister(misc_dev, false); });
  return 0;
}

void ktl_misc_deregister(ktl_miscdevice* misc_dev) { misc_unregister(misc_dev, true); }

// --- cdev ----------------------------------------------------------------------------------------
void ktl_cdev_init(ktl_cdev* cdev, const ::file_operations* fops) {
  std::memset(static_cast<void*>(cdev), 0, sizeof *cdev);
  cdev->list.next = cdev->list.prev = &cdev->list;
  cdev->ops = fops;
  cdev->kobj.refs = 1;
  cdev->kobj.entry.next = cdev->kobj.entry.prev = &cdev->kobj.entry;
  cdev->kobj.state_initialized = 1;
}

}  // extern "C"

namespace {

// cdevs made by cdev_alloc(), freed by cdev_del().
std::vector<ktl_cdev*>& alloced_cdevs() {
  static std::vector<ktl_cdev*>& v = *new std::vector<ktl_cdev*>;
  return v;
}

struct cdev_rec {
  ktl_cdev* cdev;
  unsigned dev, count;
};
std::vector<cdev_rec>& cdevs() {
  static std::vector<cdev_rec>& v = *new std::vector<cdev_rec>;
  return v;
}

std::string cdev_key(const ktl_cdev* p) {
  char b[96];
  std::snprintf(b, sizeof b, "cdev %u:%u (%u numbers)", p->dev >> kMinorBits,
                p->dev & ((1u << kMinorBits) - 1), p->count);
  return b;
}

void cdev_forget(ktl_cdev* p) {
  std::lock_guard<std::mutex> g(dev_mu());
  auto& v = cdevs();
  v.erase(std::remove_if(v.begin(), v.end(), [p](const cdev_rec& r) { return r.cdev == p; }),
          v.end());
}

}  // namespace

extern "C" {

ktl_cdev* ktl_cdev_alloc(void) {
  auto* p = new (std::nothrow) ktl_cdev();
  if (!p) return nullptr;
  ktl_cdev_init(p, nullptr);
  std::lock_guard<std::mutex> g(dev_mu());
  alloced_cdevs().push_back(p);
  return p;
}

int ktl_cdev_add(ktl_cdev* p, unsigned dev, unsigned count) {
  {
    std::lock_guard<std::mutex> g(dev_mu());
    for (const cdev_rec& r : cdevs())
      if (dev < r.dev + r.count && r.dev < dev + count) return -EBUSY;
    p->dev = dev;
    p->count = count;
    cdevs().push_back({p, dev, count});
  }
  add_extra_entry(cdev_key(p), p->ops, p, [p] { cdev_forget(p); });
  return 0;
}

void ktl_cdev_del(ktl_cdev* p) {
  if (!p) return;
  drop_extra_entry(cdev_key(p));
  cdev_forget(p);
  bool ours;
  {
    std::lock_guard<std::mutex> g(dev_mu());
    auto& v = alloced_cdevs();
    auto it = std::find(v.begin(), v.end(), p);
    ours = it != v.end();
    if (ours) v.erase(it);
  }
  if (ours) delete p;
}

}  // extern "C"
