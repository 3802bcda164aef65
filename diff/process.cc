// process.cc: helpers of the harness's forked children (process.h).
#include "diff/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace tandem::diff {

bool WriteAll(int fd, std::string_view s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

double MonotonicSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

void DefaultFaultSignals() {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP}) signal(sig, SIG_DFL);
}

CaseResult UnfinishedCase(bool timed_out, int status, int timeout_seconds,
                          const std::string& last_step, std::string_view who,
                          const std::string& detail) {
  CaseResult r;
  std::string where = last_step.empty() ? "before its first step" : "during " + last_step;
  if (timed_out) {
    r.verdict = CaseResult::Verdict::kTimeout;
    r.failures.push_back(fmt::format("timeout: no result after {} s, {}", timeout_seconds, where));
  } else if (WIFSIGNALED(status)) {
    r.verdict = CaseResult::Verdict::kCrash;
    int sig = WTERMSIG(status);
    r.failures.push_back(fmt::format("crash: the engine process died on signal {} ({}) {}", sig,
                                     strsignal(sig), where));
  } else {
    r.verdict = CaseResult::Verdict::kInternalError;
    r.failures.push_back(fmt::format("internal error: {} exited with status {} {}{}", who,
                                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, where,
                                     detail.empty() ? "" : ": " + detail));
  }
  return r;
}

int RunQuiet(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::runtime_error("RunQuiet: no program");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  // The children of a worker must not inherit its signal dispositions or mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), ::environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  return status;
}

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "_XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(fmt::format("cannot create a temporary directory {}: {}", tmpl,
                                         std::strerror(errno)));
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string FindInPath(const std::string& program) {
  if (program.find('/') != std::string::npos)
    return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = getenv("PATH");
  if (!path) return "";
  std::string_view rest(path);
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string p = dir + "/" + program;
    if (access(p.c_str(), X_OK) == 0) return p;
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace tandem::diff
