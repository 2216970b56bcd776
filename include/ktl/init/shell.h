// ktlsh: the console shell init runs under `ktl boot`, usable from any task of a running kernel.
//
//   ktl::shell sh([](std::string_view s) { ktl::console_write(s); });
//   sh.run("ps; cat /proc/1/status; echo 65536 > /proc/sys/kernel/pid_max");
//
// A line holds commands separated by ';' (or newlines); words split on blanks, with '...' and
// "..." quoting; `CMD ... > FILE` writes CMD's output to a /proc file (proc_write), as a shell
// does. Each command sets an exit status as sh would: 0 success, 1 failure, 2 bad usage,
// 127 unknown command; run() returns the last one. Errors are one line, "NAME: what".
// `help` lists the commands (ps, dmesg, cat, echo, sleep, kthread ..., demo, poweroff, ...).
//
// Commands run in the calling task: call run() from a kernel task (init under `ktl boot`, or a
// kthread in a test), not from a host thread, since `sleep` and the kthread commands block.
// Kthreads started with `kthread ...` belong to the shell: the destructor stops those still
// running (except the `kthread stuck` ones, which are left for poweroff to report).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ktl {

// Commands added to every shell by other parts of the program (the module loader's insmod,
// rmmod, lsmod and modinfo). fn runs in the shell's task; it writes its output, error lines
// included, to *out and returns the exit status. Registering a name twice replaces the first.
using shell_command_fn = int (*)(const std::vector<std::string>& argv, std::string* out);
void shell_register_command(const std::string& name, const std::string& help_line,
                            shell_command_fn fn);

class shell {
 public:
  using output_fn = std::function<void(std::string_view)>;

  explicit shell(output_fn out);
  ~shell();
  shell(const shell&) = delete;
  shell& operator=(const shell&) = delete;

  int run(std::string_view line);
  // `poweroff` (or exit/halt) was run: the caller should stop reading commands.
  bool poweroff_requested() const noexcept;
  int last_status() const noexcept;

  static std::string help_text();

  struct state;

 private:
  std::unique_ptr<state> s_;
};

// The console between the host terminal and init: the host pushes lines, init's shell reads
// them. Host threads and tasks may both call push/hangup.
class console_tty {
 public:
  console_tty();
  ~console_tty();
  console_tty(const console_tty&) = delete;
  console_tty& operator=(const console_tty&) = delete;

  void push(std::string line);  // one input line (without the newline)
  void hangup();                // end of input (Ctrl-D, end of -c script or of stdin)
  // In a task: waits for the next line; false at end of input.
  bool read_line(std::string* out);
  // Set when console_init_program returned (the host stops feeding lines).
  bool finished() const noexcept;
  // The reader is blocked in read_line() with no line queued (cleared again by push/hangup):
  // on the simulation machine the host runs the machine until this or finished() holds.
  bool waiting_for_input() const noexcept;

  bool interactive = false;  // a banner, then a prompt before each line
  bool echo_input = false;   // print each line after a prompt, as if typed (scripted demos)

  struct state;

 private:
  friend int console_init_program(void* tty);
  std::unique_ptr<state> s_;
};

// boot_params::init_program for `ktl boot`: runs a shell over `tty` (a console_tty*), writing to
// the console (console_write) until end of input or `poweroff`; returns the last status.
int console_init_program(void* tty);

}  // namespace ktl
