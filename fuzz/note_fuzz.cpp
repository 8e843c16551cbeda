// The C2SP signed-note and checkpoint-body parsers on hostile text.
#include "embarc/log/checkpoint.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embarc;
  const std::string_view text = fuzz::AsText(data, size);
  if (auto note = log::ParseNote(text)) {
    EMBARC_FUZZ_CHECK(!note->signatures.empty());
    EMBARC_FUZZ_CHECK(text.starts_with(note->body));
    if (auto cp = log::ParseCheckpointBody(note->body)) {
      // A body that parses starts with its three lines as CheckpointBody writes them (C2SP
      // allows extension lines after them, which the parser skips).
      EMBARC_FUZZ_CHECK(note->body.starts_with(log::CheckpointBody(*cp)));
    }
  }
  if (auto cp = log::ParseCheckpointBody(text)) {
    EMBARC_FUZZ_CHECK(text.starts_with(log::CheckpointBody(*cp)));
  }
  return 0;
}
