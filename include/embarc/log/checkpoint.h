// Checkpoints of the evidence log as C2SP signed notes (c2sp.org/signed-note,
// c2sp.org/tlog-checkpoint) with Ed25519 signatures.
//
//   <origin>\n<tree size>\n<base64 root hash>\n
//   \n
//   — <key name> <base64(key hash[4] || Ed25519 signature[64])>\n
//
// The key hash is the first 4 bytes of SHA-256(key name || "\n" || 0x01 || public key).
// The signature covers the note body (the first three lines, newlines included).
#ifndef EMBARC_LOG_CHECKPOINT_H_
#define EMBARC_LOG_CHECKPOINT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/log/merkle.h"

namespace embarc::log {

inline constexpr std::size_t kMaxNoteBytes = 64u << 10;   // a note larger than this is refused
inline constexpr std::size_t kMaxNoteSignatures = 16;

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root;
};

struct NoteSignature {
  std::string key_name;
  std::array<std::uint8_t, 4> key_hash{};
  Bytes signature;  // 64 bytes for Ed25519
};

struct SignedNote {
  std::string body;                       // through the final "\n" of the body
  std::vector<NoteSignature> signatures;
};

// The checkpoint body text.
std::string CheckpointBody(const Checkpoint& checkpoint);
// Reads the first three lines (origin / decimal size / base64 32-byte root); lines after them are
// C2SP extension lines, allowed and ignored. Errors: kCorruption when the first three are not that.
[[nodiscard]] Result<Checkpoint> ParseCheckpointBody(std::string_view body);

std::array<std::uint8_t, 4> Ed25519KeyHash(std::string_view key_name, ByteView public_key);

// Signs `body` as a note under `key_name` (no spaces, no '+'). Errors: kInvalidArgument.
[[nodiscard]] Result<std::string> SignNote(std::string_view body, std::string_view key_name, const crypto::Signer& signer);
// Strict parsing. Errors: kCorruption (malformed), kLimitExceeded (size, too many signatures).
[[nodiscard]] Result<SignedNote> ParseNote(std::string_view text);
// Succeeds when a signature line by `key_name` with this key's hash verifies.
// Errors: kCorruption ("no signature by …", "signature … does not verify").
[[nodiscard]] Result<void> VerifyNote(const SignedNote& note, std::string_view key_name, const crypto::Verifier& verifier);

}  // namespace embarc::log

#endif  // EMBARC_LOG_CHECKPOINT_H_
