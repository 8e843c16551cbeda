// ASCII case and digit helpers for protocol text: HTML names, HTTP header names, URL
// schemes and hosts, platform identifiers. Unlike std::tolower they do not depend on
// the locale, and they leave every byte outside A-Z as it is.
#ifndef EMBARC_SRC_CORE_ASCII_H_
#define EMBARC_SRC_CORE_ASCII_H_

#include <string>
#include <string_view>

namespace embarc::ascii {

constexpr char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Non-empty and only 0-9.
constexpr bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

constexpr bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

constexpr bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsNoCase(text.substr(0, prefix.size()), prefix);
}

inline bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(Lower(needle)) != std::string::npos;
}

}  // namespace embarc::ascii

#endif  // EMBARC_SRC_CORE_ASCII_H_
