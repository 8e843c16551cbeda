// The DSSE envelope parser on hostile JSON. Property: an envelope that parses serialises to
// canonical JSON that parses back to the same envelope.
#include "embarc/crypto/dsse.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embarc;
  auto env = crypto::Envelope::Parse(fuzz::AsText(data, size));
  if (!env) return 0;
  const std::string json = env->ToJson();
  auto again = crypto::Envelope::Parse(json);
  EMBARC_FUZZ_CHECK(again.has_value());
  EMBARC_FUZZ_CHECK(again->payload_type == env->payload_type);
  EMBARC_FUZZ_CHECK(again->payload == env->payload);
  EMBARC_FUZZ_CHECK(again->signatures.size() == env->signatures.size());
  EMBARC_FUZZ_CHECK(again->ToJson() == json);
  // No key is known: verification must fail cleanly, never pass.
  auto verified = crypto::VerifyEnvelope(*env, [](std::string_view) -> const crypto::Verifier* { return nullptr; });
  EMBARC_FUZZ_CHECK(!verified.has_value());
  return 0;
}
