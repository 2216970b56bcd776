// <linux/proc_fs.h>: module entries under /proc (fs/proc/generic.c semantics: duplicate names
// WARN and fail, '/' in names reaches into existing directories, removal runs the entry down).
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../include/asm/ktl-fs.h"
#include "fs_node.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"

using ktl::compat::fs_node;
using ktl::compat::node_ptr;

// kuid_t / kgid_t as <linux/types.h> defines them (passed by value).
struct ktl_kid {
  unsigned val;
};
static_assert(sizeof(ktl_kid) == 4);

// The kernel's proc_dir_entry: an fs_node with what the entry was created with.
struct proc_dir_entry : fs_node {
  const ::proc_ops* pops = nullptr;
  const ::seq_operations* seq_ops = nullptr;
  unsigned state_size = 0;
  int (*single_show)(::seq_file*, void*) = nullptr;
  proc_dir_entry* parent_de = nullptr;
  long long size = 0;
  unsigned uid = 0, gid = 0;
};

extern "C" {
int ktl_seq_open(::file* file, const ::seq_operations* op);
void* ktl___seq_open_private(::file* f, const ::seq_operations* ops, int psize);
int ktl_seq_release(::inode* inode, ::file* file);
int ktl_seq_release_private(::inode* inode, ::file* file);
long ktl_seq_read_iter(::kiocb* iocb, ::iov_iter* iter);
long long ktl_seq_lseek(::file* file, long long offset, int whence);
int ktl_single_open(::file* file, int (*show)(::seq_file*, void*), void* data);
int ktl_single_release(::inode* inode, ::file* file);
}

namespace {

constexpr unsigned short kS_IFREG = 0100000, kS_IFDIR = 0040000, kS_IALLUGO = 07777,
                         kS_IRUGO = 0444;

proc_dir_entry* pde_of(const ::inode* inode) {
  return static_cast<proc_dir_entry*>(static_cast<fs_node*>(inode->__ktl_node));
}

// proc_create_seq_private / proc_create_single_data entries (fs/proc/generic.c).
int proc_seq_open(::inode* inode, ::file* file) {
  proc_dir_entry* de = pde_of(inode);
  if (de->state_size)
    return ktl___seq_open_private(file, de->seq_ops, static_cast<int>(de->state_size)) ? 0
                                                                                        : -ENOMEM;
  return ktl_seq_open(file, de->seq_ops);
}

int proc_seq_release(::inode* inode, ::file* file) {
  proc_dir_entry* de = pde_of(inode);
  if (de->state_size) return ktl_seq_release_private(inode, file);
  return ktl_seq_release(inode, file);
}

const ::proc_ops g_proc_seq_ops = {
    .proc_flags = 0,
    .proc_open = proc_seq_open,
    .proc_read = nullptr,
    .proc_read_iter = ktl_seq_read_iter,
    .proc_write = nullptr,
    .proc_lseek = ktl_seq_lseek,
    .proc_release = proc_seq_release,
    .proc_poll = nullptr,
    .proc_ioctl = nullptr,
    .proc_compat_ioctl = nullptr,
    .proc_mmap = nullptr,
    .proc_get_unmapped_area = nullptr,
};

int proc_single_open(::inode* inode, ::file* file) {
  proc_dir_entry* de = pde_of(inode);
  return ktl_single_open(file, de->single_show, inode->i_private);
}

const ::proc_ops g_proc_single_ops = {
    .proc_flags = 0,
    .proc_open = proc_single_open,
    .proc_read = nullptr,
    .proc_read_iter = ktl_seq_read_iter,
    .proc_write = nullptr,
    .proc_lseek = ktl_seq_lseek,
    .proc_release = ktl_single_release,
    .proc_poll = nullptr,
    .proc_ioctl = nullptr,
    .proc_compat_ioctl = nullptr,
    .proc_mmap = nullptr,
    .proc_get_unmapped_area = nullptr,
};

// file->f_op of a /proc file (proc_reg_file_ops in Linux: the entry's proc_ops are behind it).
const ::file_operations g_proc_reg_fops{};

ktl::compat::vfs_ops proc_vfs(const ::proc_ops* ops) {
  ktl::compat::vfs_ops v;
  v.open = ops->proc_open;
  v.read = ops->proc_read;
  v.read_iter = ops->proc_read_iter;
  v.write = ops->proc_write;
  v.release = ops->proc_release;
  v.no_read = -EIO;   // proc_reg_read without ->proc_read
  v.no_write = -EIO;  // proc_reg_write without ->proc_write
  return v;
}

// "/proc" for the root, else the directory's name (what Linux's WARN prints).
std::string dir_label(const std::string& dir_path) {
  if (dir_path == "/proc") return "/proc";
  return dir_path.substr(dir_path.rfind('/') + 1);
}

// __proc_create + proc_register: the path of `name` under `parent`, checked, prepared by `prep`
// (handlers, data) and inserted; the WARNs are Linux's.
template <typename Prep>
std::shared_ptr<proc_dir_entry> proc_register(const char* name, unsigned short mode,
                                              proc_dir_entry* parent, bool dir, Prep prep) {
  std::string base = parent ? parent->path : std::string("/proc");
  std::string rel = name ? name : "";
  std::size_t slash = rel.rfind('/');
  std::string leaf = slash == std::string::npos ? rel : rel.substr(slash + 1);
  std::string dir_path = slash == std::string::npos ? base : base + "/" + rel.substr(0, slash);
  node_ptr d;
  if (dir_path != "/proc") {
    d = ktl::compat::lookup(dir_path);
    if (!d || !d->dir) {
      WARN(1, "name '%s'\n", rel.c_str());
      return nullptr;
    }
  }
  if (leaf.empty() || leaf.size() >= 256) {
    WARN(1, "name len %zu\n", leaf.size());
    return nullptr;
  }
  if (leaf == "." || leaf == "..") {
    WARN(1, "name '%s'\n", leaf.c_str());
    return nullptr;
  }
  if (dir_path == "/proc" && leaf.find_first_not_of("0123456789") == std::string::npos) {
    WARN(1, "create '/proc/%s' by hand\n", leaf.c_str());
    return nullptr;
  }
  auto de = std::make_shared<proc_dir_entry>();
  de->path = dir_path + "/" + leaf;
  de->dir = dir;
  de->mode = mode;
  de->parent_de = dynamic_cast<proc_dir_entry*>(d.get());
  prep(de.get());
  int r = ktl::compat::add_node(de);
  if (r == -EEXIST) {
    WARN(1, "proc_dir_entry '%s/%s' already registered\n", dir_label(dir_path).c_str(),
         leaf.c_str());
    return nullptr;
  }
  if (r) return nullptr;
  return de;
}

void set_file_handlers(proc_dir_entry* de) {
  de->read = [de](std::string* out) {
    return ktl::compat::file_read_all(de, proc_vfs(de->pops), &g_proc_reg_fops, out);
  };
  de->write = [de](const std::string& v) {
    return ktl::compat::file_write_all(de, proc_vfs(de->pops), &g_proc_reg_fops, v);
  };
}

// proc_create_reg: a regular file with `ops` (the entry's own ops for reporting: `report`).
template <typename Prep>
proc_dir_entry* create_reg(const char* name, unsigned short mode, proc_dir_entry* parent,
                           const ::proc_ops* ops, void* data, const void* report, Prep prep) {
  if ((mode & 0170000) == 0) mode |= kS_IFREG;
  if ((mode & kS_IALLUGO) == 0) mode |= kS_IRUGO;
  if (WARN_ON_ONCE((mode & 0170000) != kS_IFREG)) return nullptr;
  auto de = proc_register(name, mode, parent, false, [&](proc_dir_entry* e) {
    e->pops = ops;
    e->ops = report;
    e->data = data;
    e->ino.i_private = data;
    e->ino.i_fop = &g_proc_reg_fops;
    prep(e);
    set_file_handlers(e);
  });
  return de.get();
}

// Removal: Linux's remove_proc_entry/remove_proc_subtree lookup of `name` under `parent`.
std::string entry_path(const char* name, proc_dir_entry* parent) {
  std::string base = parent ? parent->path : std::string("/proc");
  return base + "/" + (name ? name : "");
}

}  // namespace

extern "C" {

proc_dir_entry* ktl_proc_create_data(const char* name, unsigned short mode, proc_dir_entry* parent,
                                     const ::proc_ops* proc_ops, void* data) {
  return create_reg(name, mode, parent, proc_ops, data, proc_ops, [](proc_dir_entry*) {});
}

proc_dir_entry* ktl_proc_create(const char* name, unsigned short mode, proc_dir_entry* parent,
                                const ::proc_ops* proc_ops) {
  return ktl_proc_create_data(name, mode, parent, proc_ops, nullptr);
}

proc_dir_entry* ktl_proc_create_single_data(const char* name, unsigned short mode,
                                            proc_dir_entry* parent,
                                            int (*show)(::seq_file*, void*), void* data) {
  return create_reg(name, mode, parent, &g_proc_single_ops, data,
                    reinterpret_cast<const void*>(show),
                    [show](proc_dir_entry* e) { e->single_show = show; });
}

proc_dir_entry* ktl_proc_create_seq_private(const char* name, unsigned short mode,
                                            proc_dir_entry* parent, const ::seq_operations* ops,
                                            unsigned state_size, void* data) {
  return create_reg(name, mode, parent, &g_proc_seq_ops, data, ops,
                    [ops, state_size](proc_dir_entry* e) {
                      e->seq_ops = ops;
                      e->state_size = state_size;
                    });
}

}  // extern "C"

namespace {

// A directory; `creator` (the caller's code address) is what the unload checks see of it.
proc_dir_entry* mkdir_from(const void* creator, const char* name, unsigned short mode,
                           proc_dir_entry* parent, void* data) {
  if (mode == 0) mode = 0555;
  auto de = proc_register(name, static_cast<unsigned short>(kS_IFDIR | mode), parent, true,
                          [data, creator](proc_dir_entry* e) {
                            e->ops = creator;
                            e->data = data;
                            e->ino.i_private = data;
                          });
  return de.get();
}

}  // namespace

extern "C" {

proc_dir_entry* ktl_proc_mkdir_data(const char* name, unsigned short mode, proc_dir_entry* parent,
                                    void* data) {
  return mkdir_from(__builtin_return_address(0), name, mode, parent, data);
}

proc_dir_entry* ktl_proc_mkdir_mode(const char* name, unsigned short mode, proc_dir_entry* parent) {
  return mkdir_from(__builtin_return_address(0), name, mode, parent, nullptr);
}

proc_dir_entry* ktl_proc_mkdir(const char* name, proc_dir_entry* parent) {
  return mkdir_from(__builtin_return_address(0), name, 0, parent, nullptr);
}

void ktl_proc_set_size(proc_dir_entry* de, long long size) {
  de->size = size;
  de->ino.i_size = size;
}

void ktl_proc_set_user(proc_dir_entry* de, ktl_kid uid, ktl_kid gid) {
  de->uid = uid.val;
  de->gid = gid.val;
}

void ktl_remove_proc_entry(const char* name, proc_dir_entry* parent) {
  std::string path = entry_path(name, parent);
  node_ptr n = ktl::compat::lookup(path);
  auto* de = dynamic_cast<proc_dir_entry*>(n.get());
  if (!de) {
    WARN(1, "name '%s'\n", name ? name : "(null)");
    return;
  }
  if (de->pops && (de->pops->proc_flags & PROC_ENTRY_PERMANENT)) {
    WARN(1, "removing permanent /proc entry '%s'", de->name.c_str());
    return;
  }
  std::vector<node_ptr> kids = ktl::compat::children(path);
  if (!kids.empty()) {
    // Linux unlinks the directory and leaks what is inside (unreachable from then on).
    WARN(1, "%s: removing non-empty directory '%s/%s', leaking at least '%s'\n",
         "remove_proc_entry", dir_label(path.substr(0, path.rfind('/'))).c_str(),
         de->name.c_str(), kids.front()->name.c_str());
  }
  ktl::compat::remove_tree(path);
}

int ktl_remove_proc_subtree(const char* name, proc_dir_entry* parent) {
  std::string path = entry_path(name, parent);
  node_ptr n = ktl::compat::lookup(path);
  if (!dynamic_cast<proc_dir_entry*>(n.get())) return -ENOENT;
  ktl::compat::remove_tree(path);
  return 0;
}

void ktl_proc_remove(proc_dir_entry* de) {
  if (!de) return;
  ktl::compat::remove_tree(de->path);
}

void* ktl_proc_get_parent_data(const ::inode* inode) {
  proc_dir_entry* de = pde_of(inode);
  return de->parent_de ? de->parent_de->ino.i_private : nullptr;
}

}  // extern "C"
