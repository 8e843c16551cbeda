#include "embarc/core/json.h"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>
#include <vector>

namespace embarc {
namespace {

constexpr char32_t kReplacementChar = 0xFFFD;

// One step of a UTF-8 decoder. `length` is the number of bytes consumed: the whole
// sequence when `valid`, else the maximal ill-formed subpart (at least one byte).
struct Utf8Step {
  bool valid = false;
  char32_t code_point = 0;
  std::size_t length = 1;
};

// Follows Unicode Table 3-7 (well-formed UTF-8 byte sequences), which excludes
// overlongs, surrogates and code points above U+10FFFF by narrowing the range of the
// second byte.
Utf8Step DecodeUtf8At(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {true, b0, 1};
  std::size_t need = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {false, 0, 1};
  }
  std::size_t i = 1;
  for (; i <= need; ++i) {
    if (pos + i >= s.size()) return {false, 0, i};
    const auto b = static_cast<unsigned char>(s[pos + i]);
    const unsigned char min = (i == 1) ? lo : 0x80;
    const unsigned char max = (i == 1) ? hi : 0xBF;
    if (b < min || b > max) return {false, 0, i};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {true, cp, need + 1};
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The UTF-16 code units of valid UTF-8 `s`; RFC 8785 §3.2.3 sorts member names by them.
std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    const Utf8Step step = DecodeUtf8At(s, pos);
    pos += step.length;
    const char32_t cp = step.valid ? step.code_point : kReplacementChar;
    if (cp < 0x10000) {
      out.push_back(static_cast<char16_t>(cp));
    } else {
      const char32_t v = cp - 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    }
  }
  return out;
}

// Deepest nesting of [ and { outside string literals, stopping early once it
// exceeds `limit`. Linear and iterative, so it is safe on any input; on malformed
// input the count is only an estimate, and the parser rejects the text anyway.
bool DepthExceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

void AppendEscapedString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Runs of characters that need no escape are appended whole (verify re-canonicalises
  // every record: a push_back per character showed up in its profile).
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (u) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0x0F]);
    }
  }
  out.append(s, run, s.size() - run);
  out.push_back('"');
}

Result<void> CheckUtf8(std::string_view s, std::string_view what) {
  if (!IsValidUtf8(s)) {
    return Fail(ErrorCode::kInvalidArgument, "canonical JSON: " + std::string(what) + " is not valid UTF-8");
  }
  return Ok();
}

Result<void> WriteCanonical(const nlohmann::json& value, int depth, std::string& out) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null:
      out += "null";
      return Ok();
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return Ok();
    case Type::number_integer: {
      const auto n = value.get<std::int64_t>();
      if (n > kMaxCanonicalInteger || n < -kMaxCanonicalInteger) {
        return Fail(ErrorCode::kInvalidArgument, "canonical JSON: integer " + std::to_string(n) +
                                                     " is outside +/-(2^53 - 1); store it as a string");
      }
      out += std::to_string(n);
      return Ok();
    }
    case Type::number_unsigned: {
      const auto n = value.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(kMaxCanonicalInteger)) {
        return Fail(ErrorCode::kInvalidArgument, "canonical JSON: integer " + std::to_string(n) +
                                                     " is outside +/-(2^53 - 1); store it as a string");
      }
      out += std::to_string(n);
      return Ok();
    }
    case Type::number_float:
      return Fail(ErrorCode::kInvalidArgument, "canonical JSON allows integers only");
    case Type::string: {
      const auto& s = value.get_ref<const std::string&>();
      EMBARC_RETURN_IF_ERROR(CheckUtf8(s, "a string"));
      AppendEscapedString(out, s);
      return Ok();
    }
    case Type::array: {
      if (depth >= kMaxJsonDepth) return Fail(ErrorCode::kInvalidArgument, "canonical JSON: nesting too deep");
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        EMBARC_RETURN_IF_ERROR(WriteCanonical(element, depth + 1, out));
      }
      out.push_back(']');
      return Ok();
    }
    case Type::object: {
      if (depth >= kMaxJsonDepth) return Fail(ErrorCode::kInvalidArgument, "canonical JSON: nesting too deep");
      std::vector<std::pair<std::u16string, nlohmann::json::const_iterator>> members;
      members.reserve(value.size());
      for (auto it = value.cbegin(); it != value.cend(); ++it) {
        EMBARC_RETURN_IF_ERROR(CheckUtf8(it.key(), "a member name"));
        members.emplace_back(ToUtf16(it.key()), it);
      }
      // std::u16string compares code unit by code unit, which is RFC 8785's order.
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      bool first = true;
      for (const auto& [unused, it] : members) {
        if (!first) out.push_back(',');
        first = false;
        AppendEscapedString(out, it.key());
        out.push_back(':');
        EMBARC_RETURN_IF_ERROR(WriteCanonical(it.value(), depth + 1, out));
      }
      out.push_back('}');
      return Ok();
    }
    case Type::binary:
    case Type::discarded:
      break;
  }
  return Fail(ErrorCode::kInvalidArgument, "canonical JSON: value has no JSON form");
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const Utf8Step step = DecodeUtf8At(text, pos);
    if (!step.valid) return false;
    pos += step.length;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const Utf8Step step = DecodeUtf8At(text, pos);
    if (step.valid) {
      out.append(text.substr(pos, step.length));
    } else {
      AppendUtf8(out, kReplacementChar);
    }
    pos += step.length;
  }
  return out;
}

namespace {

// The size and depth limits, then nlohmann's parser (with `on_event`, if given), never throwing.
Result<nlohmann::json> ParseWithinLimits(std::string_view text, int max_depth,
                                         const nlohmann::json::parser_callback_t& on_event) {
  if (text.size() > kMaxJsonBytes) {
    return Fail(ErrorCode::kLimitExceeded, "JSON text of " + std::to_string(text.size()) +
                                               " bytes exceeds the limit of " + std::to_string(kMaxJsonBytes));
  }
  if (DepthExceeds(text, max_depth)) {
    return Fail(ErrorCode::kLimitExceeded, "JSON nests deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/false);
    if (value.is_discarded()) return Fail(ErrorCode::kInvalidArgument, "malformed JSON or invalid UTF-8");
    return value;
  } catch (const std::exception& e) {
    // allow_exceptions=false covers syntax errors; this catches anything else (e.g. bad_alloc).
    return Fail(ErrorCode::kInvalidArgument, std::string("JSON parse failed: ") + e.what());
  }
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, int max_depth) {
  // Member names seen so far, one set per open object, to reject duplicates.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  const nlohmann::json::parser_callback_t on_event =
      [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open_objects.emplace_back();
        } else if (event == Event::object_end) {
          if (!open_objects.empty()) open_objects.pop_back();
        } else if (event == Event::key && !open_objects.empty() && parsed.is_string()) {
          if (!open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
            duplicate = parsed.get<std::string>();
          }
        }
        return true;
      };
  EMBARC_ASSIGN_OR_RETURN(nlohmann::json value, ParseWithinLimits(text, max_depth, on_event));
  if (!duplicate.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "JSON object has a duplicate member \"" + SanitizeUtf8(duplicate) + "\"");
  }
  return value;
}

Result<nlohmann::json> ParseCanonicalJson(std::string_view text, int max_depth) {
  // No callback (ParseJson's duplicate check): the comparison below rejects duplicates.
  EMBARC_ASSIGN_OR_RETURN(nlohmann::json value, ParseWithinLimits(text, max_depth, nullptr));
  EMBARC_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(value));
  if (canonical != text) return Fail(ErrorCode::kInvalidArgument, "not canonical JSON");
  return value;
}

Result<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  try {
    EMBARC_RETURN_IF_ERROR(WriteCanonical(value, 0, out));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("canonical JSON: ") + e.what());
  }
  return out;
}

}  // namespace embarc
