// Shared helpers for tests: temporary directories, file bytes, running commands.
#ifndef EMBARC_TESTS_SUPPORT_SUPPORT_H_
#define EMBARC_TESTS_SUPPORT_SUPPORT_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace embarc::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadFileText(const std::filesystem::path& path);
void WriteFileText(const std::filesystem::path& path, const std::string& text);
// XORs one byte of a file with 0x01.
void FlipByte(const std::filesystem::path& path, std::uint64_t offset);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv (no shell) and captures stdout and stderr. `env` entries "NAME=value" are added
// to the inherited environment.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// Starts argv in the background; Wait collects it. For tests of concurrent processes.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~BackgroundCommand();
  CommandResult Wait();

 private:
  std::filesystem::path dir_;
  int pid_ = -1;
};

std::filesystem::path CorpusDir();   // ../shared/corpus
std::filesystem::path SourceDir();   // the repository
std::string EmbarcBinary();

// Runs `embarc --archive ARCHIVE ARGS... EXTRA...` (EXTRA: e.g. FixtureServer::EmbarcNetArgs()).
CommandResult RunEmbarc(const std::filesystem::path& archive, const std::vector<std::string>& args,
                        const std::vector<std::string>& extra = {});

// Direct access to an archive's index, for tests that tamper with it or inspect it.
// ExecSql runs one statement (binding `blob`, if given, to ?1); QuerySql returns the first
// column of every row as text; QueryBlob the first column of the first row as bytes.
void ExecSql(const std::filesystem::path& db, const std::string& sql, const std::string* blob = nullptr);
std::vector<std::string> QuerySql(const std::filesystem::path& db, const std::string& sql);
std::string QueryBlob(const std::filesystem::path& db, const std::string& sql);

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_SUPPORT_H_
