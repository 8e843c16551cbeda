#include "support/fixture_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace embarc::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The pyenv shim in front of `python3` costs about a second per start; prefer the system
// interpreter. EMBARC_PYTHON overrides.
std::string PythonInterpreter() {
  if (const char* env = std::getenv("EMBARC_PYTHON"); env != nullptr && *env != '\0') return env;
  for (const char* candidate : {"/usr/bin/python3", "/usr/local/bin/python3"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  return "python3";
}

std::string ReadIfExists(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  try {
    return ReadFileText(path);
  } catch (const std::exception&) {
    return {};
  }
}

bool CanConnect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// Stops the process group led by pid: SIGTERM, up to 2 s grace, then SIGKILL.
void StopProcess(int pid) {
  if (pid <= 0) return;
  kill(-pid, SIGTERM);
  kill(pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  int status = 0;
  while (Clock::now() < deadline) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      kill(-pid, SIGKILL);  // stragglers in the group (openssl children), if any
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

}  // namespace

fs::path FixtureServer::DefaultWorld() { return SourceDir() / "tools" / "fixtures" / "world"; }

FixtureServer::FixtureServer(FixtureServerOptions options) {
  const fs::path world = options.world.empty() ? DefaultWorld() : options.world;
  if (!fs::is_directory(world)) throw std::runtime_error("fixture world not found: " + world.string());
  root_ = dir_.path() / "world";
  fs::copy(world, root_, fs::copy_options::recursive);
  const fs::path cert_dir = dir_.path() / "certs";
  const fs::path ready_file = dir_.path() / "ready";
  const fs::path err_file = dir_.path() / "server.err";
  log_file_ = dir_.path() / "requests.log";
  post_log_file_ = dir_.path() / "posts.jsonl";
  ca_file_ = (cert_dir / "ca.pem").string();

  std::vector<std::string> argv = {PythonInterpreter(),
                                   (SourceDir() / "tools" / "fixture_server.py").string(),
                                   "--root", root_.string(),
                                   "--cert-dir", cert_dir.string(),
                                   "--port", "0",
                                   "--ready-file", ready_file.string(),
                                   "--log", log_file_.string(),
                                   "--post-log", post_log_file_.string()};
  if (options.tsa) {
    const fs::path tsa_dir = dir_.path() / "tsa";
    tsa_ca_file_ = (tsa_dir / "tsa-ca.pem").string();
    argv.push_back("--tsa-dir");
    argv.push_back(tsa_dir.string());
  }
  if (options.latency_ms > 0) {
    argv.push_back("--latency-ms");
    argv.push_back(std::to_string(options.latency_ms));
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    const int in = open("/dev/null", O_RDONLY);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in >= 0) dup2(in, 0);
    if (err >= 0) {
      dup2(err, 1);
      dup2(err, 2);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;

  auto fail = [&](const std::string& why) {
    StopProcess(pid_);
    pid_ = -1;
    throw std::runtime_error("fixture server: " + why + "\n--- server stderr ---\n" + ReadIfExists(err_file));
  };
  auto exited = [&]() {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  };

  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (port_ == 0) {
    const std::string text = ReadIfExists(ready_file);
    if (!text.empty()) {
      try {
        port_ = std::stoi(text);
      } catch (const std::exception&) {
        fail("bad ready file: " + text);
      }
      break;
    }
    if (exited()) {
      throw std::runtime_error("fixture server exited during start\n--- server stderr ---\n" +
                               ReadIfExists(err_file));
    }
    if (Clock::now() > deadline) fail("no ready file after 20 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  while (!CanConnect(port_)) {
    if (exited()) {
      throw std::runtime_error("fixture server exited during start\n--- server stderr ---\n" +
                               ReadIfExists(err_file));
    }
    if (Clock::now() > deadline) fail("port " + std::to_string(port_) + " does not accept connections");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

FixtureServer::~FixtureServer() { StopProcess(pid_); }

std::string FixtureServer::connect_to() const { return "::127.0.0.1:" + std::to_string(port_); }

std::vector<std::string> FixtureServer::EmbarcNetArgs() const {
  return {"--connect-to", connect_to(), "--cacert", ca_file_, "--allow-private-addresses"};
}

std::vector<std::string> FixtureServer::PostLog() const {
  std::vector<std::string> lines;
  std::ifstream in(post_log_file_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> FixtureServer::RequestLog() const {
  std::vector<std::string> lines;
  std::ifstream in(log_file_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace embarc::testing
