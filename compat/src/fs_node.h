// The compat layer's file tree: the /proc, debugfs, sysfs and device entries modules create,
// published in ktl's /proc and /sys dispatch (ktl::proc_register_file) and accessed the way the
// kernel accesses them (open, read..., release on a fresh struct file, in the reader's task).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../include/asm/ktl-fs.h"
#include "ktl/sched/wait.h"

namespace ktl::compat {

inline constexpr std::size_t kPageSize = 4096;

// fs/read_write.c's view of a file: what the access loop calls.
struct vfs_ops {
  int (*open)(::inode*, ::file*) = nullptr;
  long (*read)(::file*, char*, std::size_t, long long*) = nullptr;
  long (*read_iter)(::kiocb*, ::iov_iter*) = nullptr;
  long (*write)(::file*, const char*, std::size_t, long long*) = nullptr;
  long (*write_iter)(::kiocb*, ::iov_iter*) = nullptr;
  int (*release)(::inode*, ::file*) = nullptr;
  // What a read or write without a method returns (-EINVAL in the VFS, -EIO for /proc).
  int no_read = -22;
  int no_write = -22;
};

// One entry. Directories read -EISDIR. Accesses hold an active reference; removal waits for
// them to drain (proc_entry_rundown / kernfs_drain).
struct fs_node {
  fs_node();
  virtual ~fs_node();
  fs_node(const fs_node&) = delete;
  fs_node& operator=(const fs_node&) = delete;

  std::string path;  // absolute: "/proc/foo", "/sys/kernel/debug/bar/baz"
  std::string name;  // last component
  bool dir = false;
  unsigned short mode = 0;
  // Reported by for_each_fs_entry (nullptr ops: not reported, e.g. a kobject directory of ktl's).
  const void* ops = nullptr;
  const void* data = nullptr;
  bool listed = true;
  bool published = false;      // registered with ktl's dispatch
  // Access handlers (files); run with an active reference held.
  std::function<int(std::string*)> read;
  std::function<int(const std::string&)> write;

  ::inode ino{};
  ::dentry dent{};
  std::string dname;           // storage of dent.d_name

  std::atomic<int> active{0};
  bool dead = false;           // under the registry lock
  ktl::wait_queue_head drained;
};

using node_ptr = std::shared_ptr<fs_node>;

// The node at `path` (nullptr if none).
node_ptr lookup(const std::string& path);
// The node a dentry/inode belongs to.
fs_node* node_of(const ::dentry* d);

// Registers n (its path, name and kind set) and publishes it in ktl's /proc and /sys. Fails with
// -EEXIST if the path exists (in this tree or as one of ktl's own files), -ENOENT if its parent
// directory does not exist (unless `make_parents`).
int add_node(const node_ptr& n, bool make_parents = false);
// Unpublishes the node and everything below it, then waits for accesses in progress. The nodes
// are returned (deepest first) so the caller can free what they refer to.
std::vector<node_ptr> remove_tree(const std::string& path);
// remove_tree(n->path) if that path is still n (not removed already, nor taken by another node).
std::vector<node_ptr> remove_node_tree(const fs_node* n);
// Children paths of a directory (direct children only), sorted.
std::vector<node_ptr> children(const std::string& path);

// Whether ktl itself provides this path (its built-in /proc files).
bool builtin_path(const std::string& path);

// One access from the caller's task: open, read in PAGE_SIZE chunks until 0, release.
int file_read_all(fs_node* n, const vfs_ops& ops, const ::file_operations* f_op, std::string* out);
// open, write until everything is taken, release.
int file_write_all(fs_node* n, const vfs_ops& ops, const ::file_operations* f_op,
                   const std::string& value);
// The access methods of a file_operations.
vfs_ops fops_vfs(const ::file_operations* fops);

// Entries that are not nodes of the tree (character device regions, cdevs, ...), reported by
// for_each_fs_entry under `key`; remove_fs_entry(key) calls `remove`.
void add_extra_entry(const std::string& key, const void* ops, const void* data,
                     std::function<void()> remove);
void drop_extra_entry(const std::string& key);

// kstrtoull()/kstrtoll(): an optional '+' (or '-'), digits of `base` (0: 0x hex, 0 octal, else
// decimal), one optional trailing newline. 0, -EINVAL or -ERANGE.
int parse_ull(const char* s, unsigned base, unsigned long long* res);
int parse_ll(const char* s, long long* res);
// kstrtobool(): y/Y/1/on -> true, n/N/0/off -> false; 0 or -EINVAL.
int parse_bool(const char* s, bool* res);

// printk with a kernel level prefix, from the shim.
void shim_printk(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace ktl::compat
