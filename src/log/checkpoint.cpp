#include "embarc/log/checkpoint.h"

#include <charconv>

#include "embarc/crypto/sha256.h"

namespace embarc::log {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014, which opens every signature line

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == ' ' || c == '+' || c == '\n' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

std::string CheckpointBody(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + Base64Encode(c.root.view()) + "\n";
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') return Fail(ErrorCode::kCorruption, "checkpoint body does not end in a newline");
  const auto lines = SplitLines(body);
  if (lines.size() < 3) return Fail(ErrorCode::kCorruption, "checkpoint body has fewer than three lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Fail(ErrorCode::kCorruption, "checkpoint origin is empty");
  const std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0')) return Fail(ErrorCode::kCorruption, "checkpoint size is not a decimal number");
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || end != size.data() + size.size()) {
    return Fail(ErrorCode::kCorruption, "checkpoint size is not a decimal number");
  }
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != 32) return Fail(ErrorCode::kCorruption, "checkpoint root is not a base64 SHA-256 hash");
  std::copy(root->begin(), root->end(), c.root.bytes.begin());
  return c;
}

std::array<std::uint8_t, 4> Ed25519KeyHash(std::string_view key_name, ByteView public_key) {
  crypto::Sha256Hasher h;
  h.Update(key_name);
  const std::uint8_t sep[2] = {'\n', 0x01};
  h.Update(ByteView(sep, 2));
  h.Update(public_key);
  const crypto::Sha256Digest d = h.Finish();
  return {d.bytes[0], d.bytes[1], d.bytes[2], d.bytes[3]};
}

Result<std::string> SignNote(std::string_view body, std::string_view key_name, const crypto::Signer& signer) {
  if (!ValidKeyName(key_name)) return Fail(ErrorCode::kInvalidArgument, "note key names have no spaces or '+'");
  if (body.empty() || body.back() != '\n') return Fail(ErrorCode::kInvalidArgument, "a note body ends in a newline");
  EMBARC_ASSIGN_OR_RETURN(Bytes sig, signer.Sign(AsBytes(body)));
  const auto hash = Ed25519KeyHash(key_name, signer.public_key());
  Bytes blob(hash.begin(), hash.end());
  blob.insert(blob.end(), sig.begin(), sig.end());
  return std::string(body) + "\n" + std::string(kEmDash) + " " + std::string(key_name) + " " + Base64Encode(blob) + "\n";
}

Result<SignedNote> ParseNote(std::string_view text) {
  if (text.size() > kMaxNoteBytes) return Fail(ErrorCode::kLimitExceeded, "note is larger than 64 KiB");
  const std::size_t split = text.find("\n\n");
  if (split == std::string_view::npos) return Fail(ErrorCode::kCorruption, "note has no signature block");
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view sigs = text.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Fail(ErrorCode::kCorruption, "note does not end in a newline");
  for (std::string_view line : SplitLines(sigs)) {
    if (note.signatures.size() >= kMaxNoteSignatures) return Fail(ErrorCode::kLimitExceeded, "note has too many signatures");
    if (line.substr(0, kEmDash.size()) != kEmDash || line.size() < kEmDash.size() + 1 || line[kEmDash.size()] != ' ') {
      return Fail(ErrorCode::kCorruption, "malformed note signature line");
    }
    line.remove_prefix(kEmDash.size() + 1);
    const std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos) return Fail(ErrorCode::kCorruption, "malformed note signature line");
    NoteSignature s;
    s.key_name = std::string(line.substr(0, space));
    if (!ValidKeyName(s.key_name)) return Fail(ErrorCode::kCorruption, "malformed note key name");
    auto blob = Base64Decode(line.substr(space + 1));
    if (!blob || blob->size() < 5) return Fail(ErrorCode::kCorruption, "malformed note signature");
    std::copy(blob->begin(), blob->begin() + 4, s.key_hash.begin());
    s.signature.assign(blob->begin() + 4, blob->end());
    note.signatures.push_back(std::move(s));
  }
  if (note.signatures.empty()) return Fail(ErrorCode::kCorruption, "note has no signatures");
  return note;
}

Result<void> VerifyNote(const SignedNote& note, std::string_view key_name, const crypto::Verifier& verifier) {
  const auto hash = Ed25519KeyHash(key_name, verifier.public_key());
  for (const NoteSignature& s : note.signatures) {
    if (s.key_name != key_name || s.key_hash != hash) continue;
    Result<void> ok = verifier.Verify(AsBytes(note.body), s.signature);
    if (!ok) return Fail(ErrorCode::kCorruption, "note signature by " + std::string(key_name) + " does not verify");
    return Ok();
  }
  return Fail(ErrorCode::kCorruption, "note has no signature by " + std::string(key_name) + " with key " +
                                          verifier.key_id().substr(0, 16));
}

}  // namespace embarc::log
