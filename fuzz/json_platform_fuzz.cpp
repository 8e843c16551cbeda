// Every platform adapter's reader of capture answers (JSON APIs, oEmbed, embed pages) on
// hostile bodies. Input: byte 0 picks the adapter, byte 1 the HTTP statuses of the answers,
// the rest is the body of every answer. Properties: no crash, and a post is only `deleted`
// on an answer the platform gave (never when every answer failed).
#include <string>
#include <vector>

#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "fuzz_support.h"

namespace {

using namespace embarc;

struct Target {
  const platform::Adapter* adapter;
  platform::PostRef post;
};

const std::vector<Target>& Targets() {
  static const std::vector<Target> targets = [] {
    // One real post URL per platform (the forms the adapters' tests use).
    const char* kUrls[] = {
        "https://twitter.com/ZelenskyyUa/status/1848047034574221401",
        "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s",
        "https://fosstodon.org/@schochastics/114620457512351116",
        "https://www.facebook.com/worlddeskwire/posts/1092837465019283",
        "https://www.instagram.com/p/DBa7Xk2NwQz/",
        "https://www.threads.net/@worlddeskwire/post/DBc4Hq1tY9e",
        "https://www.reddit.com/r/investing/comments/7pfpeq/buffett_on_cyrptocurrencies_i_can_say_almost_with/",
        "https://t.me/WorldDeskWire/1042",
        "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/76979871",
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "https://open.spotify.com/album/7s66wU1XJ2NsUuWM2NKiUV",
    };
    std::vector<Target> out;
    for (const char* u : kUrls) {
      auto ref = platform::ParsePostUrl(u);
      if (!ref) continue;
      const platform::Adapter* a = platform::FindAdapter(ref->platform);
      if (a != nullptr) out.push_back(Target{a, *ref});
    }
    return out;
  }();
  return targets;
}

const int kStatuses[] = {200, 200, 200, 404, 410, 403, 429, 500, 301, 401};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& targets = Targets();
  if (size < 2 || targets.empty()) return 0;
  const Target& t = targets[data[0] % targets.size()];
  const std::uint8_t status_bits = data[1];
  const Bytes body(data + 2, data + size);

  const std::vector<net::FetchRequest> plan = t.adapter->CapturePlan(t.post);
  std::vector<net::FetchResponse> answers;
  bool any_answer = false;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    net::FetchResponse r;
    // Some plans have more steps than status bits: the rest cycle through them.
    const int pick = (status_bits >> (i % 4 * 2)) & 0x3;
    if (pick == 3) {  // a network failure
      r.outcome = net::FetchOutcome::kTimeout;
      r.error = "timeout";
      answers.push_back(std::move(r));
      continue;
    }
    net::HttpExchange x;
    x.url = plan[i].url;
    x.status = kStatuses[(static_cast<std::size_t>(pick) * 3 + i + (status_bits >> 6)) % std::size(kStatuses)];
    x.response_head = "HTTP/1.1 " + std::to_string(x.status) + " X\r\nContent-Type: application/json\r\n\r\n";
    x.response_headers = {{"Content-Type", "application/json"}};
    x.body = body;
    r.outcome = net::FetchOutcome::kOk;
    r.hops.push_back(std::move(x));
    answers.push_back(std::move(r));
    any_answer = true;
  }
  const platform::Observation o = t.adapter->Interpret(t.post, answers);
  if (!any_answer) EMBARC_FUZZ_CHECK(o.state != platform::PostState::kDeleted);
  EMBARC_FUZZ_CHECK(!o.reason.empty());
  return 0;
}
