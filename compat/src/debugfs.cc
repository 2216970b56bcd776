// <linux/debugfs.h>: files under /sys/kernel/debug (fs/debugfs semantics: ERR_PTR returns, ERR_PTR
// parents passed through, value files as DEFINE_DEBUGFS_ATTRIBUTE files).
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "../include/asm/ktl-fs.h"
#include "fs_node.h"
#include "ktl/kernel/printk.h"

using namespace ktl::compat;

extern "C" {
int ktl_simple_attr_open(::inode* inode, ::file* file, int (*get)(void*, unsigned long long*),
                         int (*set)(void*, unsigned long long), const char* fmt);
int ktl_simple_attr_release(::inode*, ::file* file);
long ktl_simple_attr_read(::file* file, char* buf, std::size_t len, long long* ppos);
long ktl_simple_attr_write(::file* file, const char* buf, std::size_t len, long long* ppos);
long ktl_simple_attr_write_signed(::file* file, const char* buf, std::size_t len, long long* ppos);
long ktl_simple_read_from_buffer(void* to, std::size_t count, long long* ppos, const void* from,
                                 std::size_t available);
unsigned long ktl_copy_from_user(void* to, const void* from, unsigned long n);
int ktl_simple_open(::inode* inode, ::file* file);
void* ktl_kmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner);
void ktl_kfree(const void* p);
}

namespace {

constexpr const char* kRoot = "/sys/kernel/debug";
constexpr unsigned short kS_IFREG = 0100000, kS_IFDIR = 0040000;

// A debugfs entry; value files carry their accessors.
struct dbg_node : fs_node {
  const ::file_operations* fops = nullptr;
  int (*get)(void*, unsigned long long*) = nullptr;
  int (*set)(void*, unsigned long long) = nullptr;
  const char* fmt = nullptr;
};

bool is_err(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) >= static_cast<std::uintptr_t>(-4095);
}
::dentry* err_ptr(long e) { return reinterpret_cast<::dentry*>(e); }

node_ptr root() {
  static node_ptr r = [] {
    auto n = std::make_shared<dbg_node>();
    n->path = kRoot;
    n->dir = true;
    n->mode = kS_IFDIR | 0700;
    n->listed = false;
    add_node(n, true);
    return node_ptr(n);
  }();
  return r;
}

// Taken by debugfs_lookup(), dropped by dput().
std::mutex& held_mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::multimap<const ::dentry*, node_ptr>& held() {
  static std::multimap<const ::dentry*, node_ptr>& m =
      *new std::multimap<const ::dentry*, node_ptr>;
  return m;
}

std::string parent_path(::dentry* parent) {
  if (!parent) return root()->path;
  fs_node* n = node_of(parent);
  return n ? n->path : std::string();
}

const char* parent_label(::dentry* parent) {
  if (!parent) return "/";
  return reinterpret_cast<const char*>(parent->d_name.name);
}

// start_creating + the node: the dentry, or an ERR_PTR.
template <typename Prep>
::dentry* create(const char* name, unsigned short mode, ::dentry* parent, bool dir, Prep prep) {
  if (is_err(parent)) return parent;
  root();
  std::string dirp = parent_path(parent);
  if (dirp.empty()) return err_ptr(-ENOENT);
  auto n = std::make_shared<dbg_node>();
  n->path = dirp + "/" + (name ? name : "");
  n->dir = dir;
  n->mode = mode;
  prep(n.get());
  int r = add_node(n);
  if (r == -EEXIST) {
    node_ptr old = lookup(n->path);
    if (old && old->dir)
      shim_printk(KERN_ERR "debugfs: Directory '%s' with parent '%s' already present!\n", name,
                  parent_label(parent));
    else
      shim_printk(KERN_ERR "debugfs: File '%s' in directory '%s' already present!\n", name,
                  parent_label(parent));
  }
  if (r) return err_ptr(r);
  return &n->dent;
}

void set_fops(dbg_node* n, const ::file_operations* fops, void* data) {
  n->fops = fops;
  n->ino.i_private = data;
  n->ino.i_fop = fops;
  n->ops = fops;
  n->data = data;
  n->read = [n](std::string* out) { return file_read_all(n, fops_vfs(n->fops), n->fops, out); };
  n->write = [n](const std::string& v) {
    return file_write_all(n, fops_vfs(n->fops), n->fops, v);
  };
}

// --- value files ----------------------------------------------------------------------------
int value_open(::inode* inode, ::file* file) {
  auto* n = static_cast<dbg_node*>(static_cast<fs_node*>(inode->__ktl_node));
  return ktl_simple_attr_open(inode, file, n->get, n->set, n->fmt);
}

const ::file_operations g_value_fops = [] {
  ::file_operations f{};
  f.open = value_open;
  f.read = ktl_simple_attr_read;
  f.write = ktl_simple_attr_write;
  f.release = ktl_simple_attr_release;
  return f;
}();

const ::file_operations g_value_signed_fops = [] {
  ::file_operations f{};
  f.open = value_open;
  f.read = ktl_simple_attr_read;
  f.write = ktl_simple_attr_write_signed;
  f.release = ktl_simple_attr_release;
  return f;
}();

template <typename T>
int get_val(void* data, unsigned long long* val) {
  *val = static_cast<unsigned long long>(*static_cast<T*>(data));
  return 0;
}
template <typename T>
int set_val(void* data, unsigned long long val) {
  *static_cast<T*>(data) = static_cast<T>(val);
  return 0;
}
int get_atomic(void* data, unsigned long long* val) {
  *val = static_cast<unsigned long long>(
      static_cast<long long>(__atomic_load_n(static_cast<int*>(data), __ATOMIC_RELAXED)));
  return 0;
}
int set_atomic(void* data, unsigned long long val) {
  __atomic_store_n(static_cast<int*>(data), static_cast<int>(val), __ATOMIC_RELAXED);
  return 0;
}

void create_value(const char* name, unsigned short mode, ::dentry* parent, void* value,
                  int (*get)(void*, unsigned long long*), int (*set)(void*, unsigned long long),
                  const char* fmt, bool is_signed = false) {
  create(name, static_cast<unsigned short>(kS_IFREG | mode), parent, false, [&](dbg_node* n) {
    set_fops(n, is_signed ? &g_value_signed_fops : &g_value_fops, value);
    n->ops = n->fops;
    n->get = (mode & 0444) ? get : nullptr;
    n->set = (mode & 0222) ? set : nullptr;
    n->fmt = fmt;
  });
}

// --- bool, str, blob, u32 array ---------------------------------------------------------------
long bool_read(::file* file, char* user_buf, std::size_t count, long long* ppos) {
  bool val = __atomic_load_n(static_cast<bool*>(file->private_data), __ATOMIC_RELAXED);
  char buf[2] = {val ? 'Y' : 'N', '\n'};
  return ktl_simple_read_from_buffer(user_buf, count, ppos, buf, 2);
}

long bool_write(::file* file, const char* user_buf, std::size_t count, long long*) {
  char buf[32];
  std::size_t n = std::min(count, sizeof buf - 1);
  if (ktl_copy_from_user(buf, user_buf, n)) return -EFAULT;
  buf[n] = '\0';
  bool v;
  if (parse_bool(buf, &v)) return -EINVAL;
  __atomic_store_n(static_cast<bool*>(file->private_data), v, __ATOMIC_RELAXED);
  return static_cast<long>(count);
}

const ::file_operations g_bool_fops = [] {
  ::file_operations f{};
  f.open = ktl_simple_open;
  f.read = bool_read;
  f.write = bool_write;
  return f;
}();

long str_read(::file* file, char* user_buf, std::size_t count, long long* ppos) {
  const char* str = *static_cast<char**>(file->private_data);
  std::string s = std::string(str ? str : "") + "\n";
  return ktl_simple_read_from_buffer(user_buf, count, ppos, s.data(), s.size());
}

long str_write(::file* file, const char* user_buf, std::size_t count, long long* ppos) {
  if (*ppos != 0) return -EINVAL;
  auto* s = static_cast<char*>(ktl_kmalloc_owned(count + 1, 0, nullptr));
  if (!s) return -ENOMEM;
  if (ktl_copy_from_user(s, user_buf, count)) {
    ktl_kfree(s);
    return -EFAULT;
  }
  s[count] = '\0';
  if (count && s[count - 1] == '\n') s[count - 1] = '\0';  // strim of the trailing newline
  char** value = static_cast<char**>(file->private_data);
  char* old = *value;
  *value = s;
  ktl_kfree(old);
  return static_cast<long>(count);
}

const ::file_operations g_str_fops = [] {
  ::file_operations f{};
  f.open = ktl_simple_open;
  f.read = str_read;
  f.write = str_write;
  return f;
}();

struct blob_wrapper {
  void* data;
  unsigned long size;
};

long blob_read(::file* file, char* user_buf, std::size_t count, long long* ppos) {
  auto* blob = static_cast<blob_wrapper*>(file->private_data);
  return ktl_simple_read_from_buffer(user_buf, count, ppos, blob->data, blob->size);
}

const ::file_operations g_blob_fops = [] {
  ::file_operations f{};
  f.open = ktl_simple_open;
  f.read = blob_read;
  return f;
}();

struct u32_array {
  unsigned* array;
  unsigned n_elements;
};

long u32_array_read(::file* file, char* user_buf, std::size_t count, long long* ppos) {
  auto* a = static_cast<u32_array*>(file->private_data);
  std::string s;
  for (unsigned i = 0; i < a->n_elements; ++i) s += std::to_string(a->array[i]) + " ";
  if (!s.empty()) s.back() = '\n';
  return ktl_simple_read_from_buffer(user_buf, count, ppos, s.data(), s.size());
}

const ::file_operations g_u32_array_fops = [] {
  ::file_operations f{};
  f.open = ktl_simple_open;
  f.read = u32_array_read;
  return f;
}();

::dentry* create_file_fops(const char* name, unsigned short mode, ::dentry* parent, void* data,
                           const ::file_operations* fops) {
  if (!(mode & 0170000)) mode |= kS_IFREG;
  return create(name, mode, parent, false, [&](dbg_node* n) { set_fops(n, fops, data); });
}

}  // namespace

extern "C" {

::dentry* ktl_debugfs_create_file(const char* name, unsigned short mode, ::dentry* parent,
                                  void* data, const ::file_operations* fops) {
  return create_file_fops(name, mode, parent, data, fops);
}

void ktl_debugfs_create_file_size(const char* name, unsigned short mode, ::dentry* parent,
                                  void* data, const ::file_operations* fops, long long size) {
  ::dentry* d = create_file_fops(name, mode, parent, data, fops);
  if (!is_err(d)) d->d_inode->i_size = size;
}

::dentry* ktl_debugfs_create_dir(const char* name, ::dentry* parent) {
  // What the unload checks see of a directory: the code that made it.
  const void* creator = __builtin_return_address(0);
  return create(name, kS_IFDIR | 0755, parent, true, [creator](dbg_node* n) { n->ops = creator; });
}

::dentry* ktl_debugfs_lookup(const char* name, ::dentry* parent) {
  if (is_err(parent)) return nullptr;
  std::string p = parent_path(parent);
  if (p.empty() || !name) return nullptr;
  node_ptr n = lookup(p + "/" + name);
  if (!n) return nullptr;
  std::lock_guard<std::mutex> g(held_mu());
  held().emplace(&n->dent, n);
  return &n->dent;
}

void ktl_dput(::dentry* d) {
  if (!d || is_err(d)) return;
  std::lock_guard<std::mutex> g(held_mu());
  auto it = held().find(d);
  if (it != held().end()) held().erase(it);
}

void ktl_debugfs_remove(::dentry* d) {
  if (!d || is_err(d)) return;
  fs_node* n = node_of(d);
  if (!n || n == root().get()) return;
  remove_node_tree(n);
}

void ktl_debugfs_lookup_and_remove(const char* name, ::dentry* parent) {
  ::dentry* d = ktl_debugfs_lookup(name, parent);
  if (!d) return;
  ktl_debugfs_remove(d);
  ktl_dput(d);
}

bool ktl_debugfs_initialized(void) { return true; }

void ktl_debugfs_create_u8(const char* name, unsigned short mode, ::dentry* parent,
                           unsigned char* value) {
  create_value(name, mode, parent, value, get_val<unsigned char>, set_val<unsigned char>, "%llu\n");
}
void ktl_debugfs_create_u16(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned short* value) {
  create_value(name, mode, parent, value, get_val<unsigned short>, set_val<unsigned short>,
               "%llu\n");
}
void ktl_debugfs_create_u32(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned* value) {
  create_value(name, mode, parent, value, get_val<unsigned>, set_val<unsigned>, "%llu\n");
}
void ktl_debugfs_create_u64(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned long long* value) {
  create_value(name, mode, parent, value, get_val<unsigned long long>,
               set_val<unsigned long long>, "%llu\n");
}
void ktl_debugfs_create_ulong(const char* name, unsigned short mode, ::dentry* parent,
                              unsigned long* value) {
  create_value(name, mode, parent, value, get_val<unsigned long>, set_val<unsigned long>,
               "%llu\n");
}
void ktl_debugfs_create_size_t(const char* name, unsigned short mode, ::dentry* parent,
                               std::size_t* value) {
  create_value(name, mode, parent, value, get_val<std::size_t>, set_val<std::size_t>, "%llu\n");
}
void ktl_debugfs_create_x8(const char* name, unsigned short mode, ::dentry* parent,
                           unsigned char* value) {
  create_value(name, mode, parent, value, get_val<unsigned char>, set_val<unsigned char>,
               "0x%02llx\n");
}
void ktl_debugfs_create_x16(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned short* value) {
  create_value(name, mode, parent, value, get_val<unsigned short>, set_val<unsigned short>,
               "0x%04llx\n");
}
void ktl_debugfs_create_x32(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned* value) {
  create_value(name, mode, parent, value, get_val<unsigned>, set_val<unsigned>, "0x%08llx\n");
}
void ktl_debugfs_create_x64(const char* name, unsigned short mode, ::dentry* parent,
                            unsigned long long* value) {
  create_value(name, mode, parent, value, get_val<unsigned long long>,
               set_val<unsigned long long>, "0x%016llx\n");
}
void ktl_debugfs_create_atomic_t(const char* name, unsigned short mode, ::dentry* parent,
                                 int* value) {
  create_value(name, mode, parent, value, get_atomic, set_atomic, "%lld\n", true);
}

void ktl_debugfs_create_bool(const char* name, unsigned short mode, ::dentry* parent,
                             bool* value) {
  create_file_fops(name, mode, parent, value, &g_bool_fops);
}

void ktl_debugfs_create_str(const char* name, unsigned short mode, ::dentry* parent,
                            char** value) {
  create_file_fops(name, mode, parent, value, &g_str_fops);
}

::dentry* ktl_debugfs_create_blob(const char* name, unsigned short mode, ::dentry* parent,
                                  blob_wrapper* blob) {
  return create_file_fops(name, mode, parent, blob, &g_blob_fops);
}

void ktl_debugfs_create_u32_array(const char* name, unsigned short mode, ::dentry* parent,
                                  u32_array* array) {
  create_file_fops(name, mode, parent, array, &g_u32_array_fops);
}

long ktl_debugfs_read_file_bool(::file* file, char* user_buf, std::size_t count, long long* ppos) {
  return bool_read(file, user_buf, count, ppos);
}

long ktl_debugfs_write_file_bool(::file* file, const char* user_buf, std::size_t count,
                                 long long* ppos) {
  return bool_write(file, user_buf, count, ppos);
}

}  // extern "C"
