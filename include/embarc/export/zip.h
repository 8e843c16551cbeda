// A small ZIP (PKWARE APPNOTE 6.3) writer and a hostile-input-safe reader, for WACZ packages.
//
// The writer stores entries uncompressed (method 0: WACZ wants WARCs stored so that they can be
// read at an offset), with UTF-8 names (flag bit 11), CRC-32 from zlib, no data descriptors, no
// extra fields and no ZIP64: a package holds at most kMaxZipEntries entries and at most
// kMaxZipBytes bytes in all (both well below the 65535 entries and 4 GiB of classic ZIP).
//
// The reader takes the whole file in memory and trusts nothing in it: the end of central
// directory record must end the file, every central directory entry must lie inside the
// directory, every local header must agree with its central entry and lie before the directory,
// sizes and counts are bounded by the named limits below, and names must be safe relative paths
// (no "..", no leading "/", no backslash, no drive letter, no empty component, no duplicates).
// Stored (0) and deflated (8) entries are read; the CRC-32 of every entry is checked.
#ifndef EMBARC_EXPORT_ZIP_H_
#define EMBARC_EXPORT_ZIP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"

namespace embarc::bundle {

// Largest ZIP file written or read (the reader refuses larger files before parsing).
inline constexpr std::uint64_t kMaxZipBytes = 1ull << 30;
// Most entries in one ZIP.
inline constexpr std::size_t kMaxZipEntries = 20000;
// Largest uncompressed entry, and largest sum of all uncompressed entries.
inline constexpr std::uint64_t kMaxZipEntryBytes = 1ull << 30;
inline constexpr std::uint64_t kMaxZipTotalBytes = 1ull << 30;
// Longest entry name in bytes.
inline constexpr std::size_t kMaxZipNameBytes = 512;

struct ZipEntry {
  std::string name;
  std::string data;   // uncompressed bytes
};

// Whether `name` is a safe relative entry path (see the header comment). Directory entries end
// in "/". Errors: kCorruption naming the entry and what is wrong with it.
[[nodiscard]] Result<void> CheckEntryName(std::string_view name);

// Collects entries in memory and writes the ZIP in one go.
class ZipWriter {
 public:
  // `dos_time` and `dos_date` are the MS-DOS modification time stamped on every entry.
  ZipWriter(std::uint16_t dos_time, std::uint16_t dos_date) : dos_time_(dos_time), dos_date_(dos_date) {}
  // Errors: kInvalidArgument (unsafe or duplicate name), kLimitExceeded (entry count or size).
  [[nodiscard]] Result<void> Add(std::string name, std::string data);
  // The ZIP bytes: local headers and data in the order added, then the central directory.
  // Errors: kLimitExceeded past kMaxZipBytes.
  [[nodiscard]] Result<std::string> Finish() const;

 private:
  std::uint16_t dos_time_;
  std::uint16_t dos_date_;
  std::vector<ZipEntry> entries_;
  std::uint64_t total_ = 0;
};

// MS-DOS time and date of a UTC "YYYY-MM-DDTHH:MM:SS..." text (1980-01-01 00:00 for others).
std::pair<std::uint16_t, std::uint16_t> DosTimeDate(std::string_view rfc3339);

// Parses and checks a whole ZIP file. Entries come back in central directory order.
// Errors: kLimitExceeded (a limit above), kCorruption (anything malformed, an unsafe or
// duplicate name, a CRC mismatch, an unsupported feature: ZIP64, encryption, multi-disk,
// a compression method other than 0 or 8), each naming the entry when there is one.
[[nodiscard]] Result<std::vector<ZipEntry>> ReadZip(std::string_view zip);

}  // namespace embarc::bundle

#endif  // EMBARC_EXPORT_ZIP_H_
