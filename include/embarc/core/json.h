// JSON for embarc: bounded parsing of untrusted text, and the canonical form
// that embarc signs (RFC 8785, JSON Canonicalization Scheme, for the subset of
// JSON that embarc produces).
#ifndef EMBARC_CORE_JSON_H_
#define EMBARC_CORE_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "embarc/core/result.h"

namespace embarc {

// Deepest nesting of arrays and objects ParseJson accepts by default.
inline constexpr int kMaxJsonDepth = 64;
// Largest JSON text ParseJson accepts.
inline constexpr std::size_t kMaxJsonBytes = 32u << 20;
// Largest magnitude of an integer CanonicalJson writes: 2^53 - 1. RFC 8785 numbers are
// IEEE 754 doubles, so larger integers would not survive a round trip through other
// JCS implementations. Put large ids and nanosecond clocks in strings.
inline constexpr std::int64_t kMaxCanonicalInteger = (std::int64_t{1} << 53) - 1;

// Parses one JSON text (RFC 8259) from untrusted input. Never throws.
// The nesting depth is checked by a linear pre-scan before the parser runs, so
// hostile input such as 100000 '[' fails fast without deep recursion.
// A scalar at top level has depth 0; "[]" and "{}" have depth 1.
// Rejects duplicate object member names (RFC 7493 I-JSON), since two readers
// could disagree on which one counts.
// Errors: kLimitExceeded if `text` is longer than kMaxJsonBytes or nests deeper
// than `max_depth`; kInvalidArgument if it is not valid JSON or not valid UTF-8.
[[nodiscard]] Result<nlohmann::json> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth);

// Serialises `value` in RFC 8785 canonical form: object members sorted by the
// UTF-16 code units of their names, no whitespace, strings escaped as JCS does
// (\" \\ \b \f \n \r \t; other controls below 0x20 as \u00xx in lower-case hex;
// everything else, including '/' and non-ASCII, as literal UTF-8).
// Only the subset embarc uses is supported: objects, arrays, strings, integers
// with |n| <= kMaxCanonicalInteger, true, false, null. Never throws.
// Errors: kInvalidArgument for a float ("canonical JSON allows integers only"),
// an integer out of range, a string or member name that is not valid UTF-8, a
// binary value, or nesting deeper than kMaxJsonDepth.
[[nodiscard]] Result<std::string> CanonicalJson(const nlohmann::json& value);

// `text` parsed, when it is canonical JSON: exactly the bytes CanonicalJson writes for the
// value it holds. (Duplicate members cannot pass: the parsed object keeps one of them, so
// its canonical form differs from `text`.) For signed records, whose bytes must already be
// canonical; about twice as fast as ParseJson followed by CanonicalJson.
// Errors: as ParseJson and CanonicalJson, and kInvalidArgument "not canonical JSON".
[[nodiscard]] Result<nlohmann::json> ParseCanonicalJson(std::string_view text, int max_depth = kMaxJsonDepth);

// Returns `text` with every ill-formed UTF-8 sequence replaced by U+FFFD
// (one replacement per maximal ill-formed subpart, as Unicode §3.9 and the
// WHATWG decoder do). Valid input is returned unchanged. For text taken from web pages.
std::string SanitizeUtf8(std::string_view text);

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace embarc

#endif  // EMBARC_CORE_JSON_H_
