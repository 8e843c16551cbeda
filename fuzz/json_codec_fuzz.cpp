// The index's packed JSON columns (store/json_codec.h) on hostile stored values: any
// bytes unpack to JSON-looking text within the limit or fail as corruption; anything
// packed unpacks to itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "store/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embarc;
  const std::string_view bytes = fuzz::AsText(data, size);
  // As a stored value (a packed one when the first byte is the form byte).
  if (auto unpacked = store::UnpackJson(bytes)) {
    if (!bytes.empty() && bytes.front() == store::kPackedJsonV1) {
      EMBARC_FUZZ_CHECK(!unpacked->empty() && unpacked->front() == '{');
      EMBARC_FUZZ_CHECK(unpacked->size() <= store::kMaxUnpackedJsonBytes);
    } else {
      EMBARC_FUZZ_CHECK(*unpacked == bytes);
    }
  } else {
    EMBARC_FUZZ_CHECK(unpacked.error().code == ErrorCode::kCorruption);
  }
  // As JSON to store: whatever PackJson makes of it comes back byte for byte.
  const std::string json = "{" + std::string(bytes);
  const std::string packed = store::PackJson(json);
  EMBARC_FUZZ_CHECK(packed.size() <= json.size());
  auto again = store::UnpackJson(packed);
  EMBARC_FUZZ_CHECK(again && *again == json);
  return 0;
}
