// <linux/seq_file.h>: sequential files with Linux 6.x's seq_read_iter semantics (fs/seq_file.c):
// records are formatted whole into m->buf (retried in a buffer twice as large when one
// overflows), handed out across reads, and replayed from the start (traverse) when a read does
// not continue where the previous one stopped.
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "../include/asm/ktl-fs.h"
#include "fs_node.h"
#include "kernel/kernel_internal.h"
#include "ktl/base/list.h"
#include "ktl/kernel/printk.h"

namespace {

constexpr std::size_t kPage = ktl::compat::kPageSize;
constexpr int kSEEK_SET = 0, kSEEK_CUR = 1;

bool is_err_or_null(const void* p) {
  return !p || reinterpret_cast<std::uintptr_t>(p) >= static_cast<std::uintptr_t>(-4095);
}
long ptr_err(const void* p) { return static_cast<long>(reinterpret_cast<std::intptr_t>(p)); }
bool is_err(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) >= static_cast<std::uintptr_t>(-4095);
}

char* buf_alloc(std::size_t size) { return static_cast<char*>(std::malloc(size)); }

bool overflowed(const seq_file* m) { return m->count == m->size; }
void set_overflow(seq_file* m) { m->count = m->size; }

// Positions the iterator at byte `offset` of the output (m->from/count then describe the
// rest of the record containing it). 0, -EAGAIN (buffer grown: call again) or an error.
int traverse(seq_file* m, long long offset) {
  long long pos = 0;
  int error = 0;
  m->index = 0;
  m->count = m->from = 0;
  if (!offset) return 0;
  if (!m->buf) {
    m->buf = buf_alloc(m->size = kPage);
    if (!m->buf) return -ENOMEM;
  }
  void* p = m->op->start(m, &m->index);
  while (p) {
    error = is_err(p) ? static_cast<int>(ptr_err(p)) : 0;
    if (is_err(p)) break;
    error = m->op->show(m, p);
    if (error < 0) break;
    if (error) {  // SEQ_SKIP
      error = 0;
      m->count = 0;
    }
    if (overflowed(m)) {
      m->op->stop(m, p);
      std::free(m->buf);
      m->count = 0;
      m->buf = buf_alloc(m->size <<= 1);
      return m->buf ? -EAGAIN : -ENOMEM;
    }
    p = m->op->next(m, p, &m->index);
    if (pos + static_cast<long long>(m->count) > offset) {
      m->from = static_cast<std::size_t>(offset - pos);
      m->count -= m->from;
      break;
    }
    pos += static_cast<long long>(m->count);
    m->count = 0;
    if (pos == offset) break;
  }
  m->op->stop(m, p);
  return error;
}

// The single record of single_open(): v is non-NULL exactly once.
void* single_start(seq_file*, long long* pos) { return *pos ? nullptr : reinterpret_cast<void*>(1); }
void* single_next(seq_file*, void*, long long* pos) {
  ++*pos;
  return nullptr;
}
void single_stop(seq_file*, void*) {}

void vprintf_into(seq_file* m, const char* fmt, va_list args) {
  if (m->count >= m->size) return;
  std::size_t room = m->size - m->count;
  int len;
  if (ktl::internal::format_has_kernel_ext(fmt)) {
    std::string s = ktl::internal::kvformat(fmt, args);
    len = static_cast<int>(s.size());
    if (s.size() < room) std::memcpy(m->buf + m->count, s.c_str(), s.size() + 1);
  } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    len = std::vsnprintf(m->buf + m->count, room, fmt, args);
#pragma GCC diagnostic pop
  }
  if (len >= 0 && static_cast<std::size_t>(len) < room) {
    m->count += static_cast<std::size_t>(len);
    return;
  }
  set_overflow(m);
}

}  // namespace

extern "C" {

std::size_t ktl_copy_to_iter(const void* addr, std::size_t bytes, ::iov_iter* i);

int ktl_seq_open(::file* file, const ::seq_operations* op) {
  auto* p = new (std::nothrow) seq_file();
  if (!p) return -ENOMEM;
  std::memset(static_cast<void*>(p), 0, sizeof *p);
  p->op = op;
  p->file = file;
  file->private_data = p;
  return 0;
}

long ktl_seq_read_iter(::kiocb* iocb, ::iov_iter* iter) {
  auto* m = static_cast<seq_file*>(iocb->ki_filp->private_data);
  std::size_t copied = 0;
  long err = 0;
  void* p;
  if (!iter->count) return 0;
  // A read from offset 0 restarts from the first record.
  if (iocb->ki_pos == 0) {
    m->index = 0;
    m->count = 0;
  }
  if (iocb->ki_pos != m->read_pos) {
    while ((err = traverse(m, iocb->ki_pos)) == -EAGAIN) {
    }
    if (err) {
      m->read_pos = 0;
      m->index = 0;
      m->count = 0;
      goto done;
    }
    m->read_pos = iocb->ki_pos;
  }
  if (!m->buf) {
    m->buf = buf_alloc(m->size = kPage);
    if (!m->buf) {
      err = -ENOMEM;
      goto done;
    }
  }
  // The rest of a record a previous read stopped in.
  if (m->count) {
    std::size_t n = ktl_copy_to_iter(m->buf + m->from, m->count, iter);
    m->count -= n;
    m->from += n;
    copied += n;
    if (m->count) goto done;
  }
  // One non-empty record into the buffer, growing it until the record fits.
  m->from = 0;
  p = m->op->start(m, &m->index);
  for (;;) {
    err = is_err(p) ? ptr_err(p) : 0;
    if (is_err_or_null(p)) break;
    err = m->op->show(m, p);
    if (err < 0) break;
    if (err) m->count = 0;  // SEQ_SKIP
    if (!m->count) {
      p = m->op->next(m, p, &m->index);
      continue;
    }
    if (!overflowed(m)) goto fill;
    m->op->stop(m, p);
    std::free(m->buf);
    m->count = 0;
    m->buf = buf_alloc(m->size <<= 1);
    if (!m->buf) {
      err = -ENOMEM;
      goto done;
    }
    p = m->op->start(m, &m->index);
  }
  m->op->stop(m, p);
  m->count = 0;
  goto done;
fill:
  // More records while they fit in what the reader asked for; the iterator advances once per
  // record shown.
  for (;;) {
    std::size_t offs = m->count;
    long long pos = m->index;
    p = m->op->next(m, p, &m->index);
    if (pos == m->index) {
      ktl::printk(KERN_INFO "buggy .next function %ps did not update position index\n",
                  reinterpret_cast<void*>(m->op->next));
      m->index++;
    }
    if (is_err_or_null(p)) break;
    if (m->count >= iter->count) break;
    err = m->op->show(m, p);
    if (err > 0) {
      m->count = offs;
    } else if (err || overflowed(m)) {
      m->count = offs;
      break;
    }
  }
  m->op->stop(m, p);
  {
    std::size_t n = ktl_copy_to_iter(m->buf, m->count, iter);
    copied += n;
    m->count -= n;
    m->from = n;
  }
done:
  if (!copied) return m->count ? -EFAULT : err;
  iocb->ki_pos += static_cast<long long>(copied);
  m->read_pos += static_cast<long long>(copied);
  return static_cast<long>(copied);
}

long ktl_seq_read(::file* file, char* buf, std::size_t size, long long* ppos) {
  ::kiocb kiocb{};
  kiocb.ki_filp = file;
  kiocb.ki_pos = ppos ? *ppos : 0;
  ::iov_iter iter{};
  iter.data_source = 0;
  iter.ubuf = buf;
  iter.count = size;
  long ret = ktl_seq_read_iter(&kiocb, &iter);
  if (ppos) *ppos = kiocb.ki_pos;
  return ret;
}

long long ktl_seq_lseek(::file* file, long long offset, int whence) {
  auto* m = static_cast<seq_file*>(file->private_data);
  long long retval = -EINVAL;
  switch (whence) {
    case kSEEK_CUR:
      offset += file->f_pos;
      [[fallthrough]];
    case kSEEK_SET:
      if (offset < 0) break;
      retval = offset;
      if (offset != m->read_pos) {
        while ((retval = traverse(m, offset)) == -EAGAIN) {
        }
        if (retval) {
          file->f_pos = 0;
          m->read_pos = 0;
        } else {
          m->read_pos = offset;
          retval = file->f_pos = offset;
        }
      } else {
        file->f_pos = offset;
      }
      break;
    default:
      break;
  }
  return retval;
}

int ktl_seq_release(::inode*, ::file* file) {
  auto* m = static_cast<seq_file*>(file->private_data);
  if (m) {
    std::free(m->buf);
    delete m;
  }
  file->private_data = nullptr;
  return 0;
}

void ktl_seq_vprintf(seq_file* m, const char* fmt, va_list args) { vprintf_into(m, fmt, args); }

void ktl_seq_printf(seq_file* m, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf_into(m, fmt, ap);
  va_end(ap);
}

int ktl_seq_write(seq_file* m, const void* data, std::size_t len) {
  if (m->count + len < m->size) {
    std::memcpy(m->buf + m->count, data, len);
    m->count += len;
    return 0;
  }
  set_overflow(m);
  return -1;
}

void ktl_seq_puts(seq_file* m, const char* s) { ktl_seq_write(m, s, std::strlen(s)); }

void ktl_seq_putc(seq_file* m, char c) {
  if (m->count >= m->size) return;
  m->buf[m->count++] = c;
}

void ktl_seq_put_decimal_ull_width(seq_file* m, const char* delimiter, unsigned long long num,
                                   unsigned width) {
  char b[64];
  int n = std::snprintf(b, sizeof b, "%s%*llu", delimiter ? delimiter : "", static_cast<int>(width),
                        num);
  ktl_seq_write(m, b, static_cast<std::size_t>(n));
}

void ktl_seq_put_decimal_ull(seq_file* m, const char* delimiter, unsigned long long num) {
  ktl_seq_put_decimal_ull_width(m, delimiter, num, 0);
}

void ktl_seq_put_decimal_ll(seq_file* m, const char* delimiter, long long num) {
  char b[64];
  int n = std::snprintf(b, sizeof b, "%s%lld", delimiter ? delimiter : "", num);
  ktl_seq_write(m, b, static_cast<std::size_t>(n));
}

void ktl_seq_put_hex_ll(seq_file* m, const char* delimiter, unsigned long long v, unsigned width) {
  char b[64];
  int n = std::snprintf(b, sizeof b, "%s%0*llx", delimiter ? delimiter : "", static_cast<int>(width),
                        v);
  ktl_seq_write(m, b, static_cast<std::size_t>(n));
}

void ktl_seq_pad(seq_file* m, char c) {
  std::size_t size = m->pad_until > m->count ? m->pad_until - m->count : 0;
  if (size) {
    if (size + m->count > m->size) {
      set_overflow(m);
      return;
    }
    std::memset(m->buf + m->count, ' ', size);
    m->count += size;
  }
  if (c) ktl_seq_putc(m, c);
}

void ktl_seq_escape(seq_file* m, const char* s, const char* esc) {
  for (; *s; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    if (std::strchr(esc, c)) {
      char b[8];
      std::snprintf(b, sizeof b, "\\%03o", c);
      ktl_seq_puts(m, b);
    } else {
      ktl_seq_putc(m, static_cast<char>(c));
    }
  }
}

void ktl_seq_hex_dump(seq_file* m, const char* prefix_str, int prefix_type, int rowsize,
                      int groupsize, const void* buf, std::size_t len, bool ascii) {
  const unsigned char* p = static_cast<const unsigned char*>(buf);
  if (rowsize != 16 && rowsize != 32) rowsize = 16;
  if (groupsize != 1 && groupsize != 2 && groupsize != 4 && groupsize != 8) groupsize = 1;
  for (std::size_t i = 0; i < len; i += static_cast<std::size_t>(rowsize)) {
    std::size_t linelen = std::min(len - i, static_cast<std::size_t>(rowsize));
    if (prefix_type == 1)  // DUMP_PREFIX_ADDRESS
      ktl_seq_printf(m, "%s%p: ", prefix_str, static_cast<const void*>(p + i));
    else if (prefix_type == 2)  // DUMP_PREFIX_OFFSET
      ktl_seq_printf(m, "%s%.8zx: ", prefix_str, i);
    else
      ktl_seq_printf(m, "%s", prefix_str);
    std::string hex;
    for (std::size_t j = 0; j < linelen; j += static_cast<std::size_t>(groupsize)) {
      char b[24];
      unsigned long long v = 0;
      std::size_t g = std::min(static_cast<std::size_t>(groupsize), linelen - j);
      for (std::size_t k = 0; k < g; ++k) v |= static_cast<unsigned long long>(p[i + j + k]) << (8 * k);
      std::snprintf(b, sizeof b, "%s%0*llx", j ? " " : "", static_cast<int>(g * 2), v);
      hex += b;
    }
    ktl_seq_puts(m, hex.c_str());
    if (ascii) {
      std::size_t width = static_cast<std::size_t>(rowsize) * 2 +
                          static_cast<std::size_t>(rowsize / groupsize) - 1;
      std::string pad(width > hex.size() ? width - hex.size() : 0, ' ');
      ktl_seq_puts(m, pad.c_str());
      ktl_seq_puts(m, "  ");
      for (std::size_t j = 0; j < linelen; ++j) {
        unsigned char c = p[i + j];
        ktl_seq_putc(m, c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
      }
    }
    ktl_seq_putc(m, '\n');
  }
}

int ktl_single_open(::file* file, int (*show)(seq_file*, void*), void* data) {
  auto* op = new (std::nothrow) ::seq_operations();
  if (!op) return -ENOMEM;
  op->start = single_start;
  op->next = single_next;
  op->stop = single_stop;
  op->show = show;
  int res = ktl_seq_open(file, op);
  if (!res)
    static_cast<seq_file*>(file->private_data)->private_ = data;
  else
    delete op;
  return res;
}

int ktl_single_open_size(::file* file, int (*show)(seq_file*, void*), void* data,
                         std::size_t size) {
  char* buf = buf_alloc(size ? size : 1);
  if (!buf) return -ENOMEM;
  int ret = ktl_single_open(file, show, data);
  if (ret) {
    std::free(buf);
    return ret;
  }
  auto* m = static_cast<seq_file*>(file->private_data);
  m->buf = buf;
  m->size = size ? size : 1;
  return 0;
}

int ktl_single_release(::inode* inode, ::file* file) {
  auto* m = static_cast<seq_file*>(file->private_data);
  const ::seq_operations* op = m ? m->op : nullptr;
  int res = ktl_seq_release(inode, file);
  delete op;
  return res;
}

void* ktl___seq_open_private(::file* f, const ::seq_operations* ops, int psize) {
  void* priv = std::calloc(1, static_cast<std::size_t>(psize > 0 ? psize : 1));
  if (!priv) return nullptr;
  if (ktl_seq_open(f, ops)) {
    std::free(priv);
    return nullptr;
  }
  static_cast<seq_file*>(f->private_data)->private_ = priv;
  return priv;
}

int ktl_seq_open_private(::file* f, const ::seq_operations* ops, int psize) {
  return ktl___seq_open_private(f, ops, psize) ? 0 : -ENOMEM;
}

int ktl_seq_release_private(::inode* inode, ::file* file) {
  auto* m = static_cast<seq_file*>(file->private_data);
  if (m) {
    std::free(m->private_);
    m->private_ = nullptr;
  }
  return ktl_seq_release(inode, file);
}

// --- list iterators -------------------------------------------------------------------------------
ktl::list_head* ktl_seq_list_start(ktl::list_head* head, long long pos) {
  for (ktl::list_head* lh = head->next; lh != head; lh = lh->next)
    if (pos-- == 0) return lh;
  return nullptr;
}

ktl::list_head* ktl_seq_list_start_head(ktl::list_head* head, long long pos) {
  if (!pos) return head;
  return ktl_seq_list_start(head, pos - 1);
}

ktl::list_head* ktl_seq_list_next(void* v, ktl::list_head* head, long long* ppos) {
  ktl::list_head* lh = static_cast<ktl::list_head*>(v)->next;
  ++*ppos;
  return lh == head ? nullptr : lh;
}

}  // extern "C"
