#include "support/support.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace embarc::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "embarc-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileText(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void FlipByte(const std::filesystem::path& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x01);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

namespace {

// Forks argv with stdout/stderr to files in `dir`; returns the pid.
int Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::filesystem::path& dir) {
  const std::string out_path = (dir / "out").string();
  const std::string err_path = (dir / "err").string();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

CommandResult Collect(int pid, const std::filesystem::path& dir) {
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFileText(dir / "out");
  r.err = ReadFileText(dir / "err");
  return r;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  // stdout and stderr go to temporary files so that large outputs cannot deadlock a pipe.
  TempDir tmp;
  const int pid = Spawn(argv, env, tmp.path());
  return Collect(pid, tmp.path());
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "embarc-bg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  pid_ = Spawn(argv, env, dir_);
}

BackgroundCommand::~BackgroundCommand() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

CommandResult BackgroundCommand::Wait() {
  CommandResult r = Collect(pid_, dir_);
  pid_ = -1;
  return r;
}

std::filesystem::path CorpusDir() { return EMBARC_CORPUS_DIR; }
std::filesystem::path SourceDir() { return EMBARC_SOURCE_DIR; }
std::string EmbarcBinary() { return EMBARC_BINARY; }

CommandResult RunEmbarc(const std::filesystem::path& archive, const std::vector<std::string>& args,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {EmbarcBinary(), "--archive", archive.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv);
}

namespace {

// A statement on a fresh connection, closed when done; throws (failing the test) on errors.
class Statement {
 public:
  Statement(const std::filesystem::path& db, const std::string& sql) {
    if (sqlite3_open(db.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open " + db.string());
    sqlite3_busy_timeout(db_, 10000);
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
  }
  ~Statement() {
    sqlite3_finalize(stmt_);
    sqlite3_close(db_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return stmt_; }
  int Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db_));
    return rc;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

void ExecSql(const std::filesystem::path& db, const std::string& sql, const std::string* blob) {
  Statement s(db, sql);
  if (blob != nullptr) sqlite3_bind_blob(s.get(), 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
  while (s.Step() == SQLITE_ROW) {
  }
}

std::vector<std::string> QuerySql(const std::filesystem::path& db, const std::string& sql) {
  Statement s(db, sql);
  std::vector<std::string> rows;
  while (s.Step() == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(s.get(), 0);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  return rows;
}

std::string QueryBlob(const std::filesystem::path& db, const std::string& sql) {
  Statement s(db, sql);
  if (s.Step() != SQLITE_ROW) throw std::runtime_error(sql + ": no row");
  const void* data = sqlite3_column_blob(s.get(), 0);
  const int n = sqlite3_column_bytes(s.get(), 0);
  return data != nullptr ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(n)) : std::string();
}

}  // namespace embarc::testing
