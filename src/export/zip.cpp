#include "embarc/export/zip.h"

#include <zlib.h>

#include <cctype>
#include <set>
#include <utility>

namespace embarc::bundle {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::size_t kLocalHeaderBytes = 30;
constexpr std::size_t kCentralHeaderBytes = 46;
constexpr std::size_t kEndBytes = 22;
constexpr std::uint16_t kFlagUtf8 = 0x0800;
constexpr std::uint16_t kFlagEncrypted = 0x0001;

void Put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint16_t Get16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(s[at]) | (static_cast<std::uint8_t>(s[at + 1]) << 8));
}
std::uint32_t Get32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s[at + static_cast<std::size_t>(i)]);
  return v;
}

std::uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t done = 0;
  while (done < data.size()) {
    const std::size_t n = std::min<std::size_t>(data.size() - done, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + done), static_cast<uInt>(n));
    done += n;
  }
  return static_cast<std::uint32_t>(crc);
}

// Inflates a raw deflate stream that must produce exactly `size` bytes.
Result<std::string> InflateRaw(std::string_view in, std::uint64_t size, const std::string& name) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Fail(ErrorCode::kInternal, "zlib inflateInit2 failed");
  std::string out(static_cast<std::size_t>(size) + 1, '\0');   // one spare byte catches overlong output
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const std::uint64_t produced = zs.total_out;
  const uInt left_in = zs.avail_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != size || left_in != 0) {
    return Fail(ErrorCode::kCorruption, "zip entry " + name + ": deflate data does not match its declared size");
  }
  out.resize(static_cast<std::size_t>(size));
  return out;
}

}  // namespace

Result<void> CheckEntryName(std::string_view name) {
  const std::string shown(name.substr(0, 120));
  if (name.empty()) return Fail(ErrorCode::kCorruption, "zip entry with an empty name");
  if (name.size() > kMaxZipNameBytes) return Fail(ErrorCode::kCorruption, "zip entry name longer than " + std::to_string(kMaxZipNameBytes) + " bytes: " + shown);
  if (name.front() == '/') return Fail(ErrorCode::kCorruption, "zip entry with an absolute path: " + shown);
  if (name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0]))) {
    return Fail(ErrorCode::kCorruption, "zip entry with a drive letter: " + shown);
  }
  for (char c : name) {
    if (c == '\\') return Fail(ErrorCode::kCorruption, "zip entry with a backslash in its path: " + shown);
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return Fail(ErrorCode::kCorruption, "zip entry name with a control character: " + shown);
  }
  std::string_view rest = name;
  if (rest.back() == '/') rest.remove_suffix(1);   // a directory entry
  std::size_t start = 0;
  while (start <= rest.size()) {
    const std::size_t slash = rest.find('/', start);
    const std::string_view part = rest.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == ".") return Fail(ErrorCode::kCorruption, "zip entry with an empty or '.' path component: " + shown);
    if (part == "..") return Fail(ErrorCode::kCorruption, "zip entry with a '..' path component: " + shown);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Ok();
}

Result<void> ZipWriter::Add(std::string name, std::string data) {
  if (auto ok = CheckEntryName(name); !ok) return Fail(ErrorCode::kInvalidArgument, ok.error().message);
  if (entries_.size() >= kMaxZipEntries) return Fail(ErrorCode::kLimitExceeded, "a package holds at most " + std::to_string(kMaxZipEntries) + " files");
  for (const ZipEntry& e : entries_) {
    if (e.name == name) return Fail(ErrorCode::kInvalidArgument, "duplicate zip entry " + name);
  }
  total_ += data.size() + kLocalHeaderBytes + kCentralHeaderBytes + 2 * name.size();
  if (data.size() > kMaxZipEntryBytes || total_ > kMaxZipBytes) {
    return Fail(ErrorCode::kLimitExceeded, "a package is at most " + std::to_string(kMaxZipBytes) + " bytes (" + name + ")");
  }
  entries_.push_back(ZipEntry{std::move(name), std::move(data)});
  return Ok();
}

Result<std::string> ZipWriter::Finish() const {
  if (total_ + kEndBytes > kMaxZipBytes) return Fail(ErrorCode::kLimitExceeded, "a package is at most " + std::to_string(kMaxZipBytes) + " bytes");
  std::string out;
  out.reserve(static_cast<std::size_t>(total_ + kEndBytes));
  std::string central;
  for (const ZipEntry& e : entries_) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = Crc32(e.data);
    const auto size = static_cast<std::uint32_t>(e.data.size());
    const auto name_len = static_cast<std::uint16_t>(e.name.size());
    Put32(out, kLocalSig);
    Put16(out, 20);          // version needed: 2.0
    Put16(out, kFlagUtf8);
    Put16(out, 0);           // stored
    Put16(out, dos_time_);
    Put16(out, dos_date_);
    Put32(out, crc);
    Put32(out, size);
    Put32(out, size);
    Put16(out, name_len);
    Put16(out, 0);           // no extra field
    out += e.name;
    out += e.data;

    Put32(central, kCentralSig);
    Put16(central, static_cast<std::uint16_t>((3 << 8) | 20));   // made by: Unix, 2.0
    Put16(central, 20);
    Put16(central, kFlagUtf8);
    Put16(central, 0);
    Put16(central, dos_time_);
    Put16(central, dos_date_);
    Put32(central, crc);
    Put32(central, size);
    Put32(central, size);
    Put16(central, name_len);
    Put16(central, 0);       // extra
    Put16(central, 0);       // comment
    Put16(central, 0);       // disk
    Put16(central, 0);       // internal attributes
    Put32(central, 0100644u << 16);   // external: a regular file, rw-r--r--
    Put32(central, offset);
    central += e.name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  Put32(out, kEndSig);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<std::uint16_t>(entries_.size()));
  Put16(out, static_cast<std::uint16_t>(entries_.size()));
  Put32(out, static_cast<std::uint32_t>(central.size()));
  Put32(out, cd_offset);
  Put16(out, 0);
  return out;
}

std::pair<std::uint16_t, std::uint16_t> DosTimeDate(std::string_view t) {
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (i >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 1980 || y > 2107 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
    return {0, static_cast<std::uint16_t>((0 << 9) | (1 << 5) | 1)};
  }
  const auto time = static_cast<std::uint16_t>((h << 11) | (mi << 5) | (std::min(s, 59) / 2));
  const auto date = static_cast<std::uint16_t>(((y - 1980) << 9) | (mo << 5) | d);
  return {time, date};
}

Result<std::vector<ZipEntry>> ReadZip(std::string_view zip) {
  if (zip.size() > kMaxZipBytes) return Fail(ErrorCode::kLimitExceeded, "zip file larger than " + std::to_string(kMaxZipBytes) + " bytes");
  if (zip.size() < kEndBytes) return Fail(ErrorCode::kCorruption, "not a zip file (too short for an end of central directory record)");
  // The end record: the last signature whose comment reaches exactly the end of the file.
  std::size_t end = std::string_view::npos;
  const std::size_t lowest = zip.size() > kEndBytes + 0xffff ? zip.size() - kEndBytes - 0xffff : 0;
  for (std::size_t at = zip.size() - kEndBytes + 1; at-- > lowest;) {
    if (Get32(zip, at) == kEndSig && at + kEndBytes + Get16(zip, at + 20) == zip.size()) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos) return Fail(ErrorCode::kCorruption, "not a zip file (no end of central directory record)");
  const std::uint16_t disk = Get16(zip, end + 4), cd_disk = Get16(zip, end + 6);
  const std::uint16_t count_disk = Get16(zip, end + 8), count = Get16(zip, end + 10);
  const std::uint32_t cd_size = Get32(zip, end + 12), cd_offset = Get32(zip, end + 16);
  if (count == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu) {
    return Fail(ErrorCode::kCorruption, "ZIP64 packages are not supported");
  }
  if (disk != 0 || cd_disk != 0 || count_disk != count) return Fail(ErrorCode::kCorruption, "multi-disk zip files are not supported");
  if (count > kMaxZipEntries) return Fail(ErrorCode::kLimitExceeded, "zip file with " + std::to_string(count) + " entries (at most " + std::to_string(kMaxZipEntries) + ")");
  if (static_cast<std::uint64_t>(cd_offset) + cd_size > end) return Fail(ErrorCode::kCorruption, "zip central directory extends beyond its end record (truncated?)");

  std::vector<ZipEntry> entries;
  std::set<std::string, std::less<>> names;
  std::uint64_t total = 0;
  std::size_t at = cd_offset;
  const std::size_t cd_end = static_cast<std::size_t>(cd_offset) + cd_size;
  for (std::size_t i = 0; i < count; ++i) {
    if (at + kCentralHeaderBytes > cd_end || Get32(zip, at) != kCentralSig) {
      return Fail(ErrorCode::kCorruption, "zip central directory truncated or malformed at entry " + std::to_string(i));
    }
    const std::uint16_t flags = Get16(zip, at + 8), method = Get16(zip, at + 10);
    const std::uint32_t crc = Get32(zip, at + 16), csize = Get32(zip, at + 20), usize = Get32(zip, at + 24);
    const std::uint16_t name_len = Get16(zip, at + 28), extra_len = Get16(zip, at + 30), comment_len = Get16(zip, at + 32);
    const std::uint16_t start_disk = Get16(zip, at + 34);
    const std::uint32_t local = Get32(zip, at + 42);
    const std::size_t next = at + kCentralHeaderBytes + name_len + extra_len + comment_len;
    if (next > cd_end) return Fail(ErrorCode::kCorruption, "zip central directory truncated at entry " + std::to_string(i));
    std::string name(zip.substr(at + kCentralHeaderBytes, name_len));
    at = next;
    EMBARC_RETURN_IF_ERROR(CheckEntryName(name));
    if (!names.insert(name).second) return Fail(ErrorCode::kCorruption, "duplicate zip entry " + name);
    if (flags & kFlagEncrypted) return Fail(ErrorCode::kCorruption, "encrypted zip entry " + name);
    if (method != 0 && method != 8) return Fail(ErrorCode::kCorruption, "zip entry " + name + " uses compression method " + std::to_string(method));
    if (start_disk != 0 || csize == 0xffffffffu || usize == 0xffffffffu || local == 0xffffffffu) {
      return Fail(ErrorCode::kCorruption, "zip entry " + name + " needs ZIP64 or another disk");
    }
    if (usize > kMaxZipEntryBytes) return Fail(ErrorCode::kLimitExceeded, "zip entry " + name + " is larger than " + std::to_string(kMaxZipEntryBytes) + " bytes");
    total += usize;
    if (total > kMaxZipTotalBytes) return Fail(ErrorCode::kLimitExceeded, "zip entries add up to more than " + std::to_string(kMaxZipTotalBytes) + " bytes");
    if (method == 0 && csize != usize) return Fail(ErrorCode::kCorruption, "stored zip entry " + name + " has different sizes");
    // The local header must agree and its data must lie before the central directory.
    if (static_cast<std::uint64_t>(local) + kLocalHeaderBytes > cd_offset || Get32(zip, local) != kLocalSig) {
      return Fail(ErrorCode::kCorruption, "zip entry " + name + ": no local header at its offset");
    }
    const std::uint16_t l_method = Get16(zip, local + 8);
    const std::uint16_t l_name_len = Get16(zip, local + 26), l_extra_len = Get16(zip, local + 28);
    const std::uint64_t data_start = static_cast<std::uint64_t>(local) + kLocalHeaderBytes + l_name_len + l_extra_len;
    if (data_start + csize > cd_offset) return Fail(ErrorCode::kCorruption, "zip entry " + name + ": data runs into the central directory");
    if (l_method != method || zip.substr(local + kLocalHeaderBytes, l_name_len) != name) {
      return Fail(ErrorCode::kCorruption, "zip entry " + name + ": local header differs from the central directory");
    }
    const std::string_view raw = zip.substr(static_cast<std::size_t>(data_start), csize);
    std::string data;
    if (method == 0) {
      data.assign(raw);
    } else {
      EMBARC_ASSIGN_OR_RETURN(data, InflateRaw(raw, usize, name));
    }
    if (Crc32(data) != crc) return Fail(ErrorCode::kCorruption, "zip entry " + name + ": CRC-32 mismatch");
    if (name.back() == '/' && !data.empty()) return Fail(ErrorCode::kCorruption, "zip directory entry " + name + " has data");
    entries.push_back(ZipEntry{std::move(name), std::move(data)});
  }
  if (at != cd_end) return Fail(ErrorCode::kCorruption, "zip central directory has trailing bytes");
  return entries;
}

}  // namespace embarc::bundle
