// The WARC readers (the verifier's ForEachRecord and ReadRecordAt, the general ScanRecords,
// crash-tail inspection) on hostile files. Properties: a file every record of which verifies
// is clean for the crash repair; every record ForEachRecord meets reads back alone at its
// (offset, length).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "embarc/warc/warc.h"
#include "fuzz_support.h"

namespace {

// The input goes to an unlinked temporary file, read through /proc/self/fd (Linux): nothing
// is left behind however the process ends (libFuzzer exits without running destructors).
int InputFd() {
  static const int fd = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/embarc-warc-fuzz-XXXXXX";
    const int created = ::mkstemp(tmpl.data());
    if (created < 0) std::abort();
    ::unlink(tmpl.c_str());
    return created;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embarc;
  const int fd = InputFd();
  const std::filesystem::path path = "/proc/self/fd/" + std::to_string(fd);
  if (::ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;
  auto all = warc::ForEachRecord(path, [&](const warc::ReadRecord& r) -> Result<void> {
    seen.emplace_back(r.offset, r.length);
    return Ok();
  });
  for (const auto& [offset, length] : seen) {
    EMBARC_FUZZ_CHECK(warc::ReadRecordAt(path, offset, length).has_value());
  }
  auto tail = warc::InspectTail(path);
  EMBARC_FUZZ_CHECK(tail.has_value());
  EMBARC_FUZZ_CHECK(tail->valid_end <= tail->file_size);
  EMBARC_FUZZ_CHECK(tail->file_size == size);
  EMBARC_FUZZ_CHECK(!(tail->clean && tail->crash_tail));
  if (all) {
    EMBARC_FUZZ_CHECK(tail->clean);
    EMBARC_FUZZ_CHECK(tail->valid_end == size);
  }
  auto prefix = warc::ValidPrefixLength(path);
  EMBARC_FUZZ_CHECK(prefix.has_value() && *prefix == tail->valid_end);
  (void)warc::ReadRecordAt(path, 0, size);
  (void)warc::ScanRecords(path, 4096, [](const warc::ScannedRecord& r) -> Result<void> {
    EMBARC_FUZZ_CHECK(r.record.block.size() <= 4096);
    return Ok();
  });
  return 0;
}
