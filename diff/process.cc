// process.cc: helpers of the harness's forked children (process.h).
#include "diff/process.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

}  // namespace tandem::diff
