#include "embarc/platform/platform.h"

#include <array>
#include <string>
#include <utility>

#include "embarc/url/url.h"

namespace embarc::platform {
namespace {

struct StateName {
  PostState state;
  const char* name;
};

constexpr std::array<StateName, 6> kStateNames = {{
    {PostState::kAvailable, "available"},
    {PostState::kDeleted, "deleted"},
    {PostState::kWithheld, "withheld"},
    {PostState::kLoginRequired, "login_required"},
    {PostState::kRateLimited, "rate_limited"},
    {PostState::kUnreachable, "unreachable"},
}};

}  // namespace

const char* PostStateName(PostState state) {
  for (const StateName& entry : kStateNames) {
    if (entry.state == state) return entry.name;
  }
  return "unknown";
}

std::optional<PostState> ParsePostState(std::string_view name) {
  for (const StateName& entry : kStateNames) {
    if (name == entry.name) return entry.state;
  }
  return std::nullopt;
}

const Adapter* FindAdapter(std::string_view platform) {
  for (const Adapter* adapter : Adapters()) {
    if (adapter->name() == platform) return adapter;
  }
  return nullptr;
}

Result<PostRef> ParsePostUrl(std::string_view post_url) {
  for (const Adapter* adapter : Adapters()) {
    if (std::optional<PostRef> ref = adapter->ParsePostUrl(post_url)) return std::move(*ref);
  }
  // Adapters may accept non-http identifiers (e.g. at:// URIs), so this check comes last.
  EMBARC_RETURN_IF_ERROR(url::ParseUrl(post_url));
  std::string shown(post_url.substr(0, 200));
  return Fail(ErrorCode::kInvalidArgument, "not a post URL of a known platform: " + shown);
}

}  // namespace embarc::platform
