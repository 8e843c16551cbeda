// A child process a test can kill at a chosen moment, or start under a file-size limit
// (RLIMIT_FSIZE, SIGXFSZ ignored, so writes past it fail with EFBIG as on a full disk).
// Header-only, for the crash and fault tests.
#ifndef EMBARC_TESTS_SUPPORT_CHILD_PROCESS_H_
#define EMBARC_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/support.h"

namespace embarc::testing {

struct ChildOptions {
  std::optional<std::uint64_t> max_file_bytes;  // RLIMIT_FSIZE for the child
};

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options = {}) {
    const std::string out_path = (dir_.path() / "out").string();
    const std::string err_path = (dir_.path() / "err").string();
    // Everything the child needs is prepared before fork (no allocation after it).
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (options.max_file_bytes) {
        ::signal(SIGXFSZ, SIG_IGN);  // survives exec: writes past the limit fail with EFBIG
        struct rlimit lim {};
        lim.rlim_cur = *options.max_file_bytes;
        lim.rlim_max = *options.max_file_bytes;
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(126);
      }
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  void Kill(int sig = SIGKILL) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Waits for the child; exit_code is 128 + signal number when a signal ended it.
  CommandResult Wait() {
    CommandResult r;
    if (pid_ <= 0) return r;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = ReadFileText(dir_.path() / "out");
    r.err = ReadFileText(dir_.path() / "err");
    return r;
  }

 private:
  TempDir dir_;
  int pid_ = -1;
};

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_CHILD_PROCESS_H_
