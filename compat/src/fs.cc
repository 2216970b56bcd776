// The compat layer's file tree (fs_node.h), the file access loop behind cat and echo >, the
// llseek and buffer helpers of <linux/fs.h>, character device numbers (/proc/devices) and the
// unload-safety listing (fs_internal.h).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <tuple>

#include "../include/asm/ktl-fs.h"
#include "../include/asm/ktl-module.h"
#include "fs_internal.h"
#include "fs_node.h"
#include "ktl/base/bug.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/wait.h"

// The layouts the C headers define (asm/ktl-fs.h is shared; these pin what modules rely on).
static_assert(sizeof(qstr) == 16 && offsetof(qstr, name) == 8);
static_assert(offsetof(inode, i_mode) == 0 && offsetof(inode, i_rdev) == 16 &&
              offsetof(inode, i_size) == 24 && offsetof(inode, i_private) == 32 &&
              sizeof(inode) == 64);
static_assert(offsetof(dentry, d_name) == 0 && offsetof(dentry, d_inode) == 16 &&
              offsetof(dentry, d_parent) == 24 && sizeof(dentry) == 88);
static_assert(offsetof(file, f_path) == 0 && offsetof(file, f_inode) == 16 &&
              offsetof(file, f_op) == 24 && offsetof(file, f_flags) == 32 &&
              offsetof(file, f_mode) == 36 && offsetof(file, f_pos) == 40 &&
              offsetof(file, private_data) == 48 && sizeof(file) == 88);
static_assert(offsetof(file_operations, owner) == 0 && offsetof(file_operations, llseek) == 16 &&
              offsetof(file_operations, read) == 24 && offsetof(file_operations, write) == 32 &&
              offsetof(file_operations, read_iter) == 40 &&
              offsetof(file_operations, poll) == 72 &&
              offsetof(file_operations, unlocked_ioctl) == 80 &&
              offsetof(file_operations, open) == 104 &&
              offsetof(file_operations, release) == 120);
static_assert(offsetof(proc_ops, proc_open) == 8 && offsetof(proc_ops, proc_read) == 16 &&
              offsetof(proc_ops, proc_read_iter) == 24 && offsetof(proc_ops, proc_write) == 32 &&
              offsetof(proc_ops, proc_lseek) == 40 && offsetof(proc_ops, proc_release) == 48 &&
              offsetof(proc_ops, proc_poll) == 56 && offsetof(proc_ops, proc_ioctl) == 64 &&
              sizeof(proc_ops) == 96);
static_assert(offsetof(seq_file, buf) == 0 && offsetof(seq_file, size) == 8 &&
              offsetof(seq_file, count) == 24 && offsetof(seq_file, index) == 40 &&
              offsetof(seq_file, op) == 56 && offsetof(seq_file, file) == 72 &&
              offsetof(seq_file, private_) == 80 && sizeof(seq_file) == 88);
static_assert(sizeof(poll_table) == 16 && offsetof(poll_table, _key) == 8);

namespace {
// <uapi/asm-generic/fcntl.h>, <linux/fs.h>
constexpr unsigned kO_WRONLY = 01, kO_CREAT = 0100, kO_TRUNC = 01000, kO_LARGEFILE = 0100000;
constexpr unsigned kFMODE_READ = 1u << 0, kFMODE_WRITE = 1u << 1, kFMODE_LSEEK = 1u << 2,
                   kFMODE_PREAD = 1u << 3, kFMODE_PWRITE = 1u << 4, kFMODE_STREAM = 1u << 12,
                   kFMODE_CAN_READ = 1u << 17, kFMODE_CAN_WRITE = 1u << 18,
                   kFMODE_OPENED = 1u << 19;
}  // namespace

namespace ktl::compat {

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------
namespace {

// The registries here and in the other shim files are never destroyed: the destructors of a
// module still mapped at exit (its tracepoints' unregistration) run after static destruction.
std::mutex& tree_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::map<std::string, node_ptr>& tree() {
  static std::map<std::string, node_ptr>& t = *new std::map<std::string, node_ptr>;
  return t;
}

std::string parent_path(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

// An access: an active reference unless the node is being removed.
bool get_active(fs_node* n) {
  std::lock_guard<std::mutex> g(tree_mu());
  if (n->dead) return false;
  n->active.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void put_active(fs_node* n) {
  bool wake;
  {
    std::lock_guard<std::mutex> g(tree_mu());
    wake = n->active.fetch_sub(1, std::memory_order_relaxed) == 1 && n->dead;
  }
  if (wake) wake_up_all(&n->drained);
}

int access_read(const node_ptr& n, std::string* out) {
  if (!get_active(n.get())) return -ENOENT;
  int r = n->dir ? -EISDIR : n->read ? n->read(out) : -EINVAL;
  put_active(n.get());
  return r;
}

int access_write(const node_ptr& n, const std::string& v) {
  if (!get_active(n.get())) return -ENOENT;
  int r = n->dir ? -EISDIR : n->write ? n->write(v) : -EACCES;
  put_active(n.get());
  return r;
}

}  // namespace

fs_node::fs_node() {
  ino.__ktl_node = this;
  dent.__ktl_node = this;
  dent.d_inode = &ino;
  dent.d_parent = &dent;
}

fs_node::~fs_node() = default;

fs_node* node_of(const ::dentry* d) { return d ? static_cast<fs_node*>(d->__ktl_node) : nullptr; }

node_ptr lookup(const std::string& path) {
  std::lock_guard<std::mutex> g(tree_mu());
  auto it = tree().find(path);
  return it == tree().end() ? nullptr : it->second;
}

bool builtin_path(const std::string& path) {
  static const char* const kProcRoot[] = {"self", "thread-self", "sys", "loadavg", "uptime",
                                          "stat", "softirqs", "interrupts", "sysrq-trigger"};
  // Directories of ktl's own files (module parameters, CPU hotplug), and its tracing files.
  static const char* const kSysTrees[] = {"/sys/module", "/sys/devices", "/sys/bus", "/sys/block",
                                          "/sys/dev"};
  static const char* const kSysFiles[] = {"/sys/kernel/tracing", "/sys/kernel/tracing/trace"};
  for (const char* s : kSysTrees) {
    std::size_t n = std::strlen(s);
    if (path.compare(0, n, s) == 0 && (path.size() == n || path[n] == '/')) return true;
  }
  for (const char* s : kSysFiles)
    if (path == s) return true;
  if (path.rfind("/proc/", 0) != 0) return false;
  std::string first = path.substr(6, path.find('/', 6) == std::string::npos
                                         ? std::string::npos
                                         : path.find('/', 6) - 6);
  for (const char* s : kProcRoot)
    if (first == s) return true;
  return !first.empty() && std::all_of(first.begin(), first.end(),
                                       [](char c) { return c >= '0' && c <= '9'; });
}

int add_node(const node_ptr& n, bool make_parents) {
  n->name = n->path.substr(n->path.rfind('/') + 1);
  n->dname = n->name;
  n->dent.d_name.name = reinterpret_cast<const unsigned char*>(n->dname.c_str());
  n->dent.d_name.len = static_cast<unsigned>(n->dname.size());
  n->dent.d_name.hash = 0;
  n->ino.i_mode = n->mode;
  static std::atomic<unsigned long> next_ino{0xF0000000ul};
  n->ino.i_ino = next_ino.fetch_add(1);
  if (builtin_path(n->path)) return -EEXIST;
  std::string parent = parent_path(n->path);
  {
    std::lock_guard<std::mutex> g(tree_mu());
    if (tree().count(n->path)) return -EEXIST;
    auto pit = tree().find(parent);
    bool top = parent == "/proc" || parent == "/sys";
    if (!top && (pit == tree().end() || !pit->second->dir)) {
      if (!make_parents || pit != tree().end()) return -ENOENT;
    }
    if (pit != tree().end()) n->dent.d_parent = &pit->second->dent;
    tree().emplace(n->path, n);
  }
  node_ptr keep = n;
  int r = ktl::proc_register_file(
      n->path, [keep](std::string* out) { return access_read(keep, out); },
      [keep](const std::string& v) { return access_write(keep, v); });
  if (r) {
    std::lock_guard<std::mutex> g(tree_mu());
    tree().erase(n->path);
    return r;
  }
  n->published = true;
  return 0;
}

std::vector<node_ptr> children(const std::string& path) {
  std::vector<node_ptr> out;
  std::string prefix = path + "/";
  std::lock_guard<std::mutex> g(tree_mu());
  for (auto it = tree().lower_bound(prefix); it != tree().end() && it->first.rfind(prefix, 0) == 0;
       ++it)
    if (it->first.find('/', prefix.size()) == std::string::npos) out.push_back(it->second);
  return out;
}

namespace {

std::vector<node_ptr> unlink_tree(const std::string& path, const fs_node* only = nullptr) {
  std::vector<node_ptr> gone;
  std::lock_guard<std::mutex> g(tree_mu());
  auto it = tree().find(path);
  if (it == tree().end()) return gone;
  if (only && it->second.get() != only) return gone;
  gone.push_back(it->second);
  std::string prefix = path + "/";
  for (auto c = tree().lower_bound(prefix); c != tree().end() && c->first.rfind(prefix, 0) == 0; ++c)
    gone.push_back(c->second);
  for (const node_ptr& n : gone) {
    n->dead = true;
    tree().erase(n->path);
  }
  // Deepest first.
  std::sort(gone.begin(), gone.end(),
            [](const node_ptr& a, const node_ptr& b) { return a->path > b->path; });
  return gone;
}

void unpublish_and_drain(const std::vector<node_ptr>& gone, bool wait) {
  for (const node_ptr& n : gone) {
    if (n->published) ktl::proc_unregister_sysctl(n->path);
    n->published = false;
  }
  if (!wait) return;
  for (const node_ptr& n : gone)
    if (n->active.load() != 0) wait_event(n->drained, n->active.load() == 0);
}

}  // namespace

std::vector<node_ptr> remove_tree(const std::string& path) {
  std::vector<node_ptr> gone = unlink_tree(path);
  unpublish_and_drain(gone, true);
  return gone;
}

std::vector<node_ptr> remove_node_tree(const fs_node* n) {
  std::vector<node_ptr> gone = unlink_tree(n->path, n);
  unpublish_and_drain(gone, true);
  return gone;
}

// ---------------------------------------------------------------------------------------------
// The access loop
// ---------------------------------------------------------------------------------------------
namespace {

// A reader that never reaches end of file (a ->read ignoring *ppos) is cut off here.
constexpr std::size_t kReadLimit = 16u << 20;

void init_file(::file* f, fs_node* n, const ::file_operations* f_op, bool write) {
  std::memset(f, 0, sizeof *f);
  f->f_path.dentry = &n->dent;
  f->f_inode = &n->ino;
  f->f_op = f_op;
  f->f_flags = (write ? kO_WRONLY | kO_CREAT | kO_TRUNC : 0) | kO_LARGEFILE;
  f->f_mode = (write ? kFMODE_WRITE | kFMODE_CAN_WRITE : kFMODE_READ | kFMODE_CAN_READ) |
              kFMODE_LSEEK | kFMODE_PREAD | kFMODE_PWRITE | kFMODE_OPENED;
}

long do_read(const vfs_ops& ops, ::file* f, char* buf, std::size_t n) {
  bool stream = f->f_mode & kFMODE_STREAM;
  long long pos = f->f_pos;
  long r;
  if (ops.read) {
    r = ops.read(f, buf, n, stream ? nullptr : &pos);
  } else {
    ::kiocb k{};
    k.ki_filp = f;
    k.ki_pos = pos;
    ::iov_iter it{};
    it.data_source = 0;
    it.ubuf = buf;
    it.count = n;
    r = ops.read_iter(&k, &it);
    pos = k.ki_pos;
  }
  if (r > 0 && !stream) f->f_pos = pos;
  return r;
}

long do_write(const vfs_ops& ops, ::file* f, const char* buf, std::size_t n) {
  bool stream = f->f_mode & kFMODE_STREAM;
  long long pos = f->f_pos;
  long r;
  if (ops.write) {
    r = ops.write(f, buf, n, stream ? nullptr : &pos);
  } else {
    ::kiocb k{};
    k.ki_filp = f;
    k.ki_pos = pos;
    ::iov_iter it{};
    it.data_source = 1;
    it.ubuf = const_cast<char*>(buf);
    it.count = n;
    r = ops.write_iter(&k, &it);
    pos = k.ki_pos;
  }
  if (r > 0 && !stream) f->f_pos = pos;
  return r;
}

}  // namespace

int file_read_all(fs_node* n, const vfs_ops& ops, const ::file_operations* f_op,
                  std::string* out) {
  ::file f;
  init_file(&f, n, f_op, false);
  if (ops.open) {
    int r = ops.open(&n->ino, &f);
    if (r) return r;
  }
  int ret = 0;
  std::string text;
  if (!ops.read && !ops.read_iter) {
    ret = ops.no_read;
  } else {
    // The user buffer: memory of the reading task (copy_to_user checks that it has an mm).
    std::string chunk(kPageSize, '\0');
    for (;;) {
      long r = do_read(ops, &f, chunk.data(), chunk.size());
      if (r < 0) {
        ret = static_cast<int>(r);
        break;
      }
      if (r == 0) break;
      text.append(chunk.data(), std::min<std::size_t>(static_cast<std::size_t>(r), chunk.size()));
      if (text.size() >= kReadLimit) break;
    }
  }
  if (ops.release) ops.release(&n->ino, &f);
  if (ret == 0 || !text.empty()) *out = std::move(text);
  return text.empty() ? ret : 0;
}

int file_write_all(fs_node* n, const vfs_ops& ops, const ::file_operations* f_op,
                   const std::string& value) {
  ::file f;
  init_file(&f, n, f_op, true);
  if (ops.open) {
    int r = ops.open(&n->ino, &f);
    if (r) return r;
  }
  int ret = 0;
  if (!ops.write && !ops.write_iter) {
    ret = ops.no_write;
  } else {
    std::string buf = value;  // the writer's (user) memory
    std::size_t done = 0;
    while (done < buf.size()) {
      long r = do_write(ops, &f, buf.data() + done, buf.size() - done);
      if (r < 0) {
        ret = static_cast<int>(r);
        break;
      }
      if (r == 0) break;
      done += std::min<std::size_t>(static_cast<std::size_t>(r), buf.size() - done);
    }
  }
  if (ops.release) ops.release(&n->ino, &f);
  return ret;
}

vfs_ops fops_vfs(const ::file_operations* fops) {
  vfs_ops v;
  v.open = fops->open;
  v.read = fops->read;
  v.read_iter = fops->read_iter;
  v.write = fops->write;
  v.write_iter = fops->write_iter;
  v.release = fops->release;
  return v;
}

int parse_ull(const char* s, unsigned base, unsigned long long* res) {
  if (*s == '+') ++s;
  if (base == 0) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
        std::isxdigit(static_cast<unsigned char>(s[2]))) {
      base = 16;
      s += 2;
    } else if (s[0] == '0') {
      base = 8;
    } else {
      base = 10;
    }
  } else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
  }
  unsigned long long v = 0;
  const char* start = s;
  for (;; ++s) {
    unsigned d;
    char c = *s;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'z')
      d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'Z')
      d = static_cast<unsigned>(c - 'A' + 10);
    else
      break;
    if (d >= base) break;
    if (v > (ULLONG_MAX - d) / base) return -ERANGE;
    v = v * base + d;
  }
  if (s == start) return -EINVAL;
  if (*s == '\n') ++s;
  if (*s) return -EINVAL;
  *res = v;
  return 0;
}

int parse_ll(const char* s, long long* res) {
  unsigned long long v;
  if (*s == '-') {
    int r = parse_ull(s + 1, 0, &v);
    if (r) return r;
    if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) return -ERANGE;
    *res = static_cast<long long>(0 - v);
    return 0;
  }
  int r = parse_ull(s, 0, &v);
  if (r) return r;
  if (v > static_cast<unsigned long long>(LLONG_MAX)) return -ERANGE;
  *res = static_cast<long long>(v);
  return 0;
}

int parse_bool(const char* s, bool* res) {
  switch (s[0]) {
    case 'y':
    case 'Y':
    case '1':
      *res = true;
      return 0;
    case 'n':
    case 'N':
    case '0':
      *res = false;
      return 0;
    case 'o':
    case 'O':
      if (s[1] == 'n' || s[1] == 'N') {
        *res = true;
        return 0;
      }
      if (s[1] == 'f' || s[1] == 'F') {
        *res = false;
        return 0;
      }
      break;
    default:
      break;
  }
  return -EINVAL;
}

void shim_printk(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ktl::vprintk(fmt, ap);
  va_end(ap);
}

// ---------------------------------------------------------------------------------------------
// Character device numbers (fs/char_dev.c) and /proc/devices
// ---------------------------------------------------------------------------------------------
namespace {

constexpr unsigned kMinorBits = 20;
constexpr unsigned kMajorHash = 255;         // CHRDEV_MAJOR_HASH_SIZE
constexpr unsigned kMajorMax = 512;
constexpr unsigned kDynEnd = 234, kDynExtStart = 511, kDynExtEnd = 384;

struct chrdev_region {
  unsigned major, baseminor, count;
  std::string name;
  const ::file_operations* fops;
};

std::mutex& chrdev_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::vector<chrdev_region>& chrdevs() {
  // Major 10 belongs to the misc driver, as on every Linux system.
  static std::vector<chrdev_region>& v =
      *new std::vector<chrdev_region>{{10, 0, 256, "misc", nullptr}};
  return v;
}

bool major_used(unsigned major) {
  for (const chrdev_region& r : chrdevs())
    if (r.major == major) return true;
  return false;
}

// find_dynamic_major(): the first hash slot without any major, from 254 down to 234, then the
// extended range 511..384.
int find_dynamic_major() {
  for (unsigned i = kMajorHash - 1; i >= kDynEnd; --i) {
    bool slot_used = false;
    for (const chrdev_region& r : chrdevs())
      if (r.major % kMajorHash == i) slot_used = true;
    if (!slot_used) return static_cast<int>(i);
  }
  for (unsigned i = kDynExtStart; i >= kDynExtEnd; --i)
    if (!major_used(i)) return static_cast<int>(i);
  return -EBUSY;
}

int register_region(unsigned major, unsigned baseminor, unsigned count, const char* name,
                    const ::file_operations* fops) {
  if (major >= kMajorMax) {
    shim_printk(KERN_ERR "CHRDEV \"%s\" major requested (%u) is greater than the maximum (%u)\n",
                name, major, kMajorMax - 1);
    return -EINVAL;
  }
  if (baseminor + count < baseminor || baseminor + count > (1u << kMinorBits)) {
    shim_printk(KERN_ERR "CHRDEV \"%s\" minor range requested (%u-%u) is out of range of "
                "maximum range (%u-%u) for a single major\n",
                name, baseminor, baseminor + count - 1, 0u, (1u << kMinorBits) - 1);
    return -EINVAL;
  }
  std::lock_guard<std::mutex> g(chrdev_mu());
  if (major == 0) {
    int m = find_dynamic_major();
    if (m < 0) {
      shim_printk(KERN_ERR "CHRDEV \"%s\" dynamic allocation region is full\n", name);
      return m;
    }
    major = static_cast<unsigned>(m);
  }
  for (const chrdev_region& r : chrdevs()) {
    if (r.major != major) continue;
    if (baseminor < r.baseminor + r.count && r.baseminor < baseminor + count) return -EBUSY;
  }
  chrdevs().push_back({major, baseminor, count, name ? name : "", fops});
  return static_cast<int>(major);
}

void unregister_region(unsigned major, unsigned baseminor, unsigned count) {
  std::lock_guard<std::mutex> g(chrdev_mu());
  auto& v = chrdevs();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->major == major && it->baseminor == baseminor && it->count == count) {
      v.erase(it);
      return;
    }
  }
}

std::string region_key(const chrdev_region& r) {
  char b[160];
  std::snprintf(b, sizeof b, "char device region %u:%u-%u (%s)", r.major, r.baseminor,
                r.baseminor + r.count - 1, r.name.c_str());
  return b;
}

int read_proc_devices(std::string* out) {
  std::vector<chrdev_region> v;
  {
    std::lock_guard<std::mutex> g(chrdev_mu());
    v = chrdevs();
  }
  std::stable_sort(v.begin(), v.end(),
                   [](const chrdev_region& a, const chrdev_region& b) { return a.major < b.major; });
  std::string s = "Character devices:\n";
  char line[128];
  for (const chrdev_region& r : v) {
    std::snprintf(line, sizeof line, "%3u %s\n", r.major, r.name.c_str());
    s += line;
  }
  s += "\nBlock devices:\n";
  *out = std::move(s);
  return 0;
}

// Entries every kernel has from boot: /proc/devices and /proc/{driver,fs,tty,bus}.
struct boot_entries {
  boot_entries() {
    auto dev = std::make_shared<fs_node>();
    dev->path = "/proc/devices";
    dev->mode = 0100444;
    dev->listed = false;
    dev->read = read_proc_devices;
    add_node(dev);
    for (const char* d : {"/proc/driver", "/proc/fs", "/proc/tty", "/proc/bus"}) {
      auto n = std::make_shared<fs_node>();
      n->path = d;
      n->dir = true;
      n->mode = 040555;
      n->listed = false;
      add_node(n);
    }
  }
} g_boot_entries;

}  // namespace

// Forced removals of entries that are not plain nodes (set by misc, cdev, ...).
namespace {
std::mutex& extra_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
struct extra_entry {
  const void* ops;
  const void* data;
  std::function<void()> remove;
};
std::map<std::string, extra_entry>& extras() {
  static std::map<std::string, extra_entry>& m = *new std::map<std::string, extra_entry>;
  return m;
}
}  // namespace

void add_extra_entry(const std::string& key, const void* ops, const void* data,
                     std::function<void()> remove) {
  std::lock_guard<std::mutex> g(extra_mu());
  extras()[key] = extra_entry{ops, data, std::move(remove)};
}

void drop_extra_entry(const std::string& key) {
  std::lock_guard<std::mutex> g(extra_mu());
  extras().erase(key);
}

void for_each_fs_entry(
    const std::function<void(const std::string& path, const void* ops, const void* data)>& fn) {
  std::vector<std::tuple<std::string, const void*, const void*>> all;
  {
    std::lock_guard<std::mutex> g(tree_mu());
    for (const auto& [path, n] : tree())
      if (n->listed && (n->ops || n->data)) all.emplace_back(path, n->ops, n->data);
  }
  {
    std::lock_guard<std::mutex> g(chrdev_mu());
    for (const chrdev_region& r : chrdevs())
      if (r.fops) all.emplace_back(region_key(r), r.fops, nullptr);
  }
  {
    std::lock_guard<std::mutex> g(extra_mu());
    for (const auto& [key, e] : extras()) all.emplace_back(key, e.ops, e.data);
  }
  for (const auto& [path, ops, data] : all) fn(path, ops, data);
}

void remove_fs_entry(const std::string& path) {
  std::function<void()> extra;
  {
    std::lock_guard<std::mutex> g(extra_mu());
    auto it = extras().find(path);
    if (it != extras().end()) {
      extra = std::move(it->second.remove);
      extras().erase(it);
    }
  }
  if (extra) {
    extra();
    return;
  }
  {
    std::lock_guard<std::mutex> g(chrdev_mu());
    auto& v = chrdevs();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (region_key(*it) == path) {
        v.erase(it);
        return;
      }
    }
  }
  // Nothing of the module may run any more, and something may still be inside it: unpublish
  // without waiting (the loader keeps the module mapped when it found anything).
  unpublish_and_drain(unlink_tree(path), false);
}

}  // namespace ktl::compat

using namespace ktl::compat;

// ---------------------------------------------------------------------------------------------
// <linux/fs.h>
// ---------------------------------------------------------------------------------------------
namespace {

constexpr int kSEEK_SET = 0, kSEEK_CUR = 1, kSEEK_END = 2, kSEEK_DATA = 3, kSEEK_HOLE = 4;
constexpr long long kMaxLfs = LLONG_MAX;

}  // namespace

extern "C" {

long long ktl_vfs_setpos(::file* file, long long offset, long long maxsize) {
  if (offset < 0) return -EINVAL;
  if (offset > maxsize) return -EINVAL;
  if (offset != file->f_pos) file->f_pos = offset;
  return offset;
}

long long ktl_generic_file_llseek_size(::file* file, long long offset, int whence,
                                       long long maxsize, long long eof) {
  switch (whence) {
    case kSEEK_END:
      offset += eof;
      break;
    case kSEEK_CUR:
      if (offset == 0) return file->f_pos;
      offset += file->f_pos;
      break;
    case kSEEK_DATA:
      if (offset < 0 || offset >= eof) return -ENXIO;
      break;
    case kSEEK_HOLE:
      if (offset < 0 || offset >= eof) return -ENXIO;
      offset = eof;
      break;
    case kSEEK_SET:
      break;
    default:
      return -EINVAL;
  }
  return ktl_vfs_setpos(file, offset, maxsize);
}

long long ktl_generic_file_llseek(::file* file, long long offset, int whence) {
  return ktl_generic_file_llseek_size(file, offset, whence, kMaxLfs, file->f_inode->i_size);
}

long long ktl_default_llseek(::file* file, long long offset, int whence) {
  switch (whence) {
    case kSEEK_END:
      offset += file->f_inode->i_size;
      break;
    case kSEEK_CUR:
      if (offset == 0) return file->f_pos;
      offset += file->f_pos;
      break;
    case kSEEK_DATA:
      if (offset >= file->f_inode->i_size) return -ENXIO;
      break;
    case kSEEK_HOLE:
      if (offset >= file->f_inode->i_size) return -ENXIO;
      offset = file->f_inode->i_size;
      break;
    case kSEEK_SET:
      break;
    default:
      return -EINVAL;
  }
  if (offset < 0) return -EINVAL;
  file->f_pos = offset;
  return offset;
}

long long ktl_noop_llseek(::file* file, long long, int) { return file->f_pos; }

long long ktl_fixed_size_llseek(::file* file, long long offset, int whence, long long size) {
  switch (whence) {
    case kSEEK_SET:
    case kSEEK_CUR:
    case kSEEK_END:
      return ktl_generic_file_llseek_size(file, offset, whence, size, size);
    default:
      return -EINVAL;
  }
}

long long ktl_no_seek_end_llseek(::file* file, long long offset, int whence) {
  switch (whence) {
    case kSEEK_SET:
    case kSEEK_CUR:
      return ktl_generic_file_llseek_size(file, offset, whence, kMaxLfs, 0);
    default:
      return -EINVAL;
  }
}

long long ktl_no_seek_end_llseek_size(::file* file, long long offset, int whence,
                                      long long size) {
  switch (whence) {
    case kSEEK_SET:
    case kSEEK_CUR:
      return ktl_generic_file_llseek_size(file, offset, whence, size, 0);
    default:
      return -EINVAL;
  }
}

unsigned long ktl_copy_to_user(void* to, const void* from, unsigned long n);
unsigned long ktl_copy_from_user(void* to, const void* from, unsigned long n);

long ktl_simple_read_from_buffer(void* to, std::size_t count, long long* ppos, const void* from,
                                 std::size_t available) {
  long long pos = *ppos;
  if (pos < 0) return -EINVAL;
  if (static_cast<unsigned long long>(pos) >= available || !count) return 0;
  std::size_t n = std::min(count, available - static_cast<std::size_t>(pos));
  unsigned long left = ktl_copy_to_user(to, static_cast<const char*>(from) + pos, n);
  if (left == n) return -EFAULT;
  n -= left;
  *ppos = pos + static_cast<long long>(n);
  return static_cast<long>(n);
}

long ktl_simple_write_to_buffer(void* to, std::size_t available, long long* ppos,
                                const void* from, std::size_t count) {
  long long pos = *ppos;
  if (pos < 0) return -EINVAL;
  if (static_cast<unsigned long long>(pos) >= available || !count) return 0;
  std::size_t n = std::min(count, available - static_cast<std::size_t>(pos));
  unsigned long left = ktl_copy_from_user(static_cast<char*>(to) + pos, from, n);
  if (left == n) return -EFAULT;
  n -= left;
  *ppos = pos + static_cast<long long>(n);
  return static_cast<long>(n);
}

long ktl_memory_read_from_buffer(void* to, std::size_t count, long long* ppos, const void* from,
                                 std::size_t available) {
  long long pos = *ppos;
  if (pos < 0) return -EINVAL;
  if (static_cast<unsigned long long>(pos) >= available) return 0;
  std::size_t n = std::min(count, available - static_cast<std::size_t>(pos));
  std::memcpy(to, static_cast<const char*>(from) + pos, n);
  *ppos = pos + static_cast<long long>(n);
  return static_cast<long>(n);
}

int ktl_nonseekable_open(::inode*, ::file* filp) {
  filp->f_mode &= ~(kFMODE_LSEEK | kFMODE_PREAD | kFMODE_PWRITE);
  return 0;
}

int ktl_stream_open(::inode*, ::file* filp) {
  filp->f_mode &= ~(kFMODE_LSEEK | kFMODE_PREAD | kFMODE_PWRITE);
  filp->f_mode |= kFMODE_STREAM;
  return 0;
}

int ktl_simple_open(::inode* inode, ::file* file) {
  if (inode->i_private) file->private_data = inode->i_private;
  return 0;
}

long ktl_generic_read_dir(::file*, char*, std::size_t, long long*) { return -EISDIR; }

// --- character device numbers ----------------------------------------------------------------
int ktl___register_chrdev(unsigned major, unsigned baseminor, unsigned count, const char* name,
                          const ::file_operations* fops) {
  int r = register_region(major, baseminor, count, name, fops);
  if (r < 0) return r;
  return major == 0 ? r : 0;
}

void ktl___unregister_chrdev(unsigned major, unsigned baseminor, unsigned count, const char*) {
  unregister_region(major, baseminor, count);
}

int ktl_alloc_chrdev_region(unsigned* dev, unsigned baseminor, unsigned count, const char* name) {
  int r = register_region(0, baseminor, count, name, nullptr);
  if (r < 0) return r;
  *dev = (static_cast<unsigned>(r) << kMinorBits) | baseminor;
  return 0;
}

int ktl_register_chrdev_region(unsigned from, unsigned count, const char* name) {
  unsigned to = from + count;
  unsigned n = from;
  for (; n < to; n = ((n >> kMinorBits) + 1) << kMinorBits) {
    unsigned next = ((n >> kMinorBits) + 1) << kMinorBits;
    unsigned end = next > to ? to : next;
    int r = register_region(n >> kMinorBits, n & ((1u << kMinorBits) - 1), end - n, name,
                            nullptr);
    if (r < 0) {
      // Undo the majors already taken.
      for (unsigned m = from; m < n; m = ((m >> kMinorBits) + 1) << kMinorBits) {
        unsigned mnext = ((m >> kMinorBits) + 1) << kMinorBits;
        unsigned mend = mnext > to ? to : mnext;
        unregister_region(m >> kMinorBits, m & ((1u << kMinorBits) - 1), mend - m);
      }
      return r;
    }
  }
  return 0;
}

void ktl_unregister_chrdev_region(unsigned from, unsigned count) {
  unsigned to = from + count;
  for (unsigned n = from; n < to; n = ((n >> kMinorBits) + 1) << kMinorBits) {
    unsigned next = ((n >> kMinorBits) + 1) << kMinorBits;
    unsigned end = next > to ? to : next;
    unregister_region(n >> kMinorBits, n & ((1u << kMinorBits) - 1), end - n);
  }
}

// --- simple_attr (DEFINE_SIMPLE_ATTRIBUTE, DEFINE_DEBUGFS_ATTRIBUTE) --------------------------
struct ktl_simple_attr {
  int (*get)(void*, unsigned long long*);
  int (*set)(void*, unsigned long long);
  char get_buf[24];
  char set_buf[24];
  void* data;
  const char* fmt;
  std::mutex mu;
};

int ktl_simple_attr_open(::inode* inode, ::file* file, int (*get)(void*, unsigned long long*),
                         int (*set)(void*, unsigned long long), const char* fmt) {
  auto* attr = new (std::nothrow) ktl_simple_attr();
  if (!attr) return -ENOMEM;
  attr->get = get;
  attr->set = set;
  attr->data = inode->i_private;
  attr->fmt = fmt;
  file->private_data = attr;
  return ktl_nonseekable_open(inode, file);
}

int ktl_simple_attr_release(::inode*, ::file* file) {
  delete static_cast<ktl_simple_attr*>(file->private_data);
  file->private_data = nullptr;
  return 0;
}

long ktl_simple_attr_read(::file* file, char* buf, std::size_t len, long long* ppos) {
  auto* attr = static_cast<ktl_simple_attr*>(file->private_data);
  if (!attr->get) return -EACCES;
  std::lock_guard<std::mutex> g(attr->mu);
  std::size_t size;
  if (*ppos && attr->get_buf[0]) {
    size = std::strlen(attr->get_buf);  // a continued read
  } else {
    unsigned long long val;
    int r = attr->get(attr->data, &val);
    if (r) return r;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int n = std::snprintf(attr->get_buf, sizeof attr->get_buf, attr->fmt, val);
#pragma GCC diagnostic pop
    size = n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof attr->get_buf - 1);
  }
  return ktl_simple_read_from_buffer(buf, len, ppos, attr->get_buf, size);
}

static long simple_attr_write_xsigned(::file* file, const char* buf, std::size_t len,
                                      long long*, bool is_signed) {
  auto* attr = static_cast<ktl_simple_attr*>(file->private_data);
  if (!attr->set) return -EACCES;
  std::lock_guard<std::mutex> g(attr->mu);
  std::size_t size = std::min(sizeof attr->set_buf - 1, len);
  if (ktl_copy_from_user(attr->set_buf, buf, size)) return -EFAULT;
  attr->set_buf[size] = '\0';
  unsigned long long val;
  int r = is_signed ? parse_ll(attr->set_buf, reinterpret_cast<long long*>(&val))
                    : parse_ull(attr->set_buf, 0, &val);
  if (r) return r;
  r = attr->set(attr->data, val);
  return r ? r : static_cast<long>(len);
}

long ktl_simple_attr_write(::file* file, const char* buf, std::size_t len, long long* ppos) {
  return simple_attr_write_xsigned(file, buf, len, ppos, false);
}

long ktl_simple_attr_write_signed(::file* file, const char* buf, std::size_t len,
                                  long long* ppos) {
  return simple_attr_write_xsigned(file, buf, len, ppos, true);
}

}  // extern "C"
