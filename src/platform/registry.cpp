// The list of platform adapters. Adding a platform = one adapter file + one line here.
#include <array>
#include <span>

#include "embarc/platform/platform.h"
#include "embarc/platform/twitter.h"

namespace embarc::platform {

std::span<const Adapter* const> Adapters() {
  // Order matters only when two adapters claim the same markup: the first wins.
  static const std::array<const Adapter*, 1> kAdapters = {
      &twitter::TwitterAdapter(),
  };
  return kAdapters;
}

}  // namespace embarc::platform
