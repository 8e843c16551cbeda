// Starts tools/fixture_server.py for a test: an HTTPS server over a copy of a fixture
// world (a directory tree <host>/<path>), with a CA generated for this run.
#ifndef EMBARC_TESTS_SUPPORT_FIXTURE_SERVER_H_
#define EMBARC_TESTS_SUPPORT_FIXTURE_SERVER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "support/support.h"

namespace embarc::testing {

struct FixtureServerOptions {
  std::filesystem::path world;  // empty: DefaultWorld()
  int latency_ms = 0;           // added before every response
  // Also serve RFC 3161 time-stamping (--tsa-dir): POST https://tsa.example/tsr, the expired
  // TSA tsa-expired.example (tokens from 2020), the broken tsa-broken.example (500).
  bool tsa = false;
};

class FixtureServer {
 public:
  // Copies the world into a temporary directory, starts the server on a free
  // loopback port and waits (up to 20 s) until it accepts connections. Throws on failure.
  explicit FixtureServer(FixtureServerOptions options = {});
  ~FixtureServer();  // stops the server (SIGTERM, then SIGKILL)
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;

  // The live tree: edit or delete files here to edit or delete posts while it runs.
  const std::filesystem::path& root() const { return root_; }
  const std::string& ca_file() const { return ca_file_; }
  // With options.tsa: the PEM of the one CA that issued both TSA signing certificates
  // (tsa.example's, valid now, and tsa-expired.example's, valid only during 2020); else empty.
  const std::string& tsa_ca_file() const { return tsa_ca_file_; }
  int port() const { return port_; }
  // "::127.0.0.1:<port>" (curl --connect-to: any host, any port -> the server).
  std::string connect_to() const;
  // {"--connect-to", connect_to(), "--cacert", ca_file(), "--allow-private-addresses"}
  std::vector<std::string> EmbarcNetArgs() const;
  // Request lines served so far, one per request: "GET https://host/path?query STATUS".
  std::vector<std::string> RequestLog() const;
  // POST requests served so far (--post-log), one JSON object text per request:
  // {"method","url","status","headers":{lower-case name: value},"body_base64"}.
  std::vector<std::string> PostLog() const;

  static std::filesystem::path DefaultWorld();  // tools/fixtures/world

 private:
  TempDir dir_;
  std::filesystem::path root_;
  std::string ca_file_;
  std::string tsa_ca_file_;
  std::filesystem::path log_file_;
  std::filesystem::path post_log_file_;
  int port_ = 0;
  int pid_ = -1;
};

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_FIXTURE_SERVER_H_
