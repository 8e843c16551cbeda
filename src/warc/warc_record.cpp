// Record values, builders and small helpers of embarc/warc/warc.h.
#include <openssl/rand.h>

#include <cstdio>
#include <random>

#include "embarc/warc/warc.h"
#include "warc/record_codec.h"

namespace embarc::warc {
namespace {

constexpr std::string_view kConformsTo =
    "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/";

void FillRandom(std::uint8_t* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) == 1) return;
  // OpenSSL's DRBG failing is not expected; std::random_device reads the kernel CSPRNG on Linux.
  std::random_device rd;
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(rd());
}

WarcRecord BaseRecord(std::string_view type, std::string_view target_uri,
                      std::chrono::system_clock::time_point date) {
  WarcRecord r;
  r.fields.emplace_back("WARC-Type", std::string(type));
  r.fields.emplace_back("WARC-Date", WarcDate(date));
  r.fields.emplace_back("WARC-Target-URI", std::string(target_uri));
  return r;
}

}  // namespace

std::string WarcRecord::Field(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (internal::EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

std::string NewRecordId() {
  std::uint8_t b[16];
  FillRandom(b, sizeof(b));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexEncode(ByteView(b, sizeof(b)));
  return "<urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20) + ">";
}

std::string WarcDate(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> tod(ms - day);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return buf;
}

WarcRecord MakeWarcinfo(std::string_view filename, std::string_view software) {
  WarcRecord r;
  r.fields.emplace_back("WARC-Type", "warcinfo");
  r.fields.emplace_back("WARC-Filename", std::string(filename));
  r.fields.emplace_back("Content-Type", "application/warc-fields");
  std::string block = "software: " + std::string(software) + "\r\nformat: WARC File Format 1.1\r\nconformsTo: " +
                      std::string(kConformsTo) + "\r\n";
  r.block = ToBytes(block);
  return r;
}

WarcRecord MakeRequest(std::string_view target_uri, std::chrono::system_clock::time_point date,
                       std::string_view ip, std::string_view http_request_bytes) {
  WarcRecord r = BaseRecord("request", target_uri, date);
  if (!ip.empty()) r.fields.emplace_back("WARC-IP-Address", std::string(ip));
  r.fields.emplace_back("Content-Type", "application/http; msgtype=request");
  r.block = ToBytes(http_request_bytes);
  return r;
}

WarcRecord MakeResponse(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view ip, std::string_view http_head, ByteView http_body) {
  WarcRecord r = BaseRecord("response", target_uri, date);
  if (!ip.empty()) r.fields.emplace_back("WARC-IP-Address", std::string(ip));
  r.fields.emplace_back("Content-Type", "application/http; msgtype=response");
  r.block.reserve(http_head.size() + http_body.size());
  r.block.assign(http_head.begin(), http_head.end());
  r.block.insert(r.block.end(), http_body.begin(), http_body.end());
  return r;
}

WarcRecord MakeMetadata(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view concurrent_to_record_id, std::string_view body,
                        std::string_view content_type) {
  WarcRecord r = BaseRecord("metadata", target_uri, date);
  if (!concurrent_to_record_id.empty()) r.fields.emplace_back("WARC-Concurrent-To", std::string(concurrent_to_record_id));
  r.fields.emplace_back("Content-Type", std::string(content_type));
  r.block = ToBytes(body);
  return r;
}

WarcRecord MakeResource(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view content_type, ByteView body) {
  WarcRecord r = BaseRecord("resource", target_uri, date);
  r.fields.emplace_back("Content-Type", std::string(content_type));
  r.block.assign(body.begin(), body.end());
  return r;
}

Result<std::pair<std::string_view, ByteView>> SplitHttpBlock(ByteView block) {
  const std::string_view text = AsChars(block);
  const std::size_t pos = text.find(internal::kHeadTerminator);
  if (pos == std::string_view::npos) return Fail(ErrorCode::kCorruption, "HTTP block has no end of head (CRLF CRLF)");
  const std::size_t head_len = pos + internal::kHeadTerminator.size();
  return std::pair<std::string_view, ByteView>(text.substr(0, head_len), block.subspan(head_len));
}

}  // namespace embarc::warc
