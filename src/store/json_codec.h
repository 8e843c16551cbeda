// How the index keeps the JSON of a snapshot's `record` and `envelope` columns. Both
// are JSON objects, so they start with '{'; a stored value that starts with
// kPackedJsonV1 is the JSON deflated (raw, RFC 1951) against a preset dictionary of
// what every record repeats: its member names in canonical order, the platforms'
// endpoint URLs, the WARC file and record-id prefixes, the detached DSSE envelope's
// skeleton. That halves a snapshot row, and the index is most of an archive's bytes
// beyond its WARC files. Record hashes and signatures are always of the JSON itself,
// so `verify` still checks every byte: a stored value that unpacks to other bytes
// fails it.
//
// The dictionary of a form must never change once rows use it: a new dictionary is a
// new form byte, and UnpackJson keeps reading the old ones.
#ifndef EMBARC_SRC_STORE_JSON_CODEC_H_
#define EMBARC_SRC_STORE_JSON_CODEC_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "embarc/core/result.h"

namespace embarc::store {

inline constexpr char kPackedJsonV1 = '\x01';

// The largest value UnpackJson gives out: a stored value that inflates further is
// refused as corrupt (a record is a few kilobytes; this bounds a hostile index).
inline constexpr std::size_t kMaxUnpackedJsonBytes = 16u << 20;

// The stored form of `json`: packed, unless packing does not make it smaller, `json`
// does not start with '{', or it is longer than kMaxUnpackedJsonBytes (it is then stored
// as it is, and read back as it is).
std::string PackJson(std::string_view json);

// The JSON from its stored form (either form). Errors: kCorruption for a packed value
// that does not inflate, inflates past kMaxUnpackedJsonBytes, or does not inflate to
// something that starts with '{'.
Result<std::string> UnpackJson(std::string_view stored);

}  // namespace embarc::store

#endif  // EMBARC_SRC_STORE_JSON_CODEC_H_
