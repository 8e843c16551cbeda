// The Facebook adapter: URL forms, capture plan, and reading the post plugin
// (the fixture world's recorded-shape answers and synthetic failures).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace fs = std::filesystem;
namespace net = embarc::net;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

const embarc::platform::Adapter& Adapter() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("facebook");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

PostRef Parse(const std::string& url) {
  auto ref = Adapter().ParsePostUrl(url);
  INFO(url);
  REQUIRE(ref);
  return *ref;
}

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "text/html; charset=utf-8",
                          const std::string& url = "https://www.facebook.com/plugins/post.php?href=x") {
  return embarc::testing::OneAnswer(status, body, content_type, url);
}

// A raw fixture file ("HTTP/1.1 200 OK\n<headers>\n\n<body>") as the final hop of an answer.
net::FetchResponse RawAnswer(const fs::path& file, const std::string& url) { return embarc::testing::RawFileAnswer(file, url); }

Observation Interpret(const PostRef& post, net::FetchResponse answer) {
  const std::vector<net::FetchResponse> answers = {std::move(answer)};
  return Adapter().Interpret(post, answers);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

fs::path World() { return embarc::testing::SourceDir() / "tools" / "fixtures" / "world"; }
fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "facebook" / name;
}
const char* kPluginUrl =
    "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fworlddeskwire%2Fposts%2F1092837465019283"
    "&show_text=true&width=500";
fs::path PluginFile() {
  return World() / "www.facebook.com" / "plugins" /
         "post.php?href=https%3A%2F%2Fwww.facebook.com%2Fworlddeskwire%2Fposts%2F1092837465019283";
}

}  // namespace

TEST_CASE("facebook: URL forms give the post id and a canonical URL", "[facebook]") {
  struct Case {
    const char* url;
    const char* id;
    const char* canonical;
    const char* author;  // "" = none
  };
  const Case cases[] = {
      {"https://www.facebook.com/worlddeskwire/posts/1092837465019283", "1092837465019283",
       "https://www.facebook.com/worlddeskwire/posts/1092837465019283", "worlddeskwire"},
      {"https://m.facebook.com/worlddeskwire/posts/1092837465019283/?ref=share&mibextid=abc", "1092837465019283",
       "https://www.facebook.com/worlddeskwire/posts/1092837465019283", "worlddeskwire"},
      {"https://www.facebook.com/worlddeskwire/posts/some-slug-here/1092837465019283", "1092837465019283",
       "https://www.facebook.com/worlddeskwire/posts/1092837465019283", "worlddeskwire"},
      {"https://www.facebook.com/worlddeskwire/activity/1092837465019283", "1092837465019283",
       "https://www.facebook.com/worlddeskwire/posts/1092837465019283", "worlddeskwire"},
      {"https://www.facebook.com/100064512345678/posts/1092837465019283", "1092837465019283",
       "https://www.facebook.com/100064512345678/posts/1092837465019283", ""},
      {"https://www.facebook.com/worlddeskwire/posts/pfbid0xZa1bC2dE3fG4hJ5", "pfbid0xZa1bC2dE3fG4hJ5",
       "https://www.facebook.com/worlddeskwire/posts/pfbid0xZa1bC2dE3fG4hJ5", "worlddeskwire"},
      {"https://www.facebook.com/permalink.php?story_fbid=1092837465019283&id=100064512345678&__tn__=K-R",
       "1092837465019283", "https://www.facebook.com/permalink.php?story_fbid=1092837465019283&id=100064512345678", ""},
      {"https://www.facebook.com/story.php?story_fbid=pfbid02Xy&id=100064512345678", "pfbid02Xy",
       "https://www.facebook.com/permalink.php?story_fbid=pfbid02Xy&id=100064512345678", ""},
      {"https://www.facebook.com/photo.php?fbid=10207393772231779&set=a.1332832050135.2039779.1511060888&type=3",
       "10207393772231779", "https://www.facebook.com/photo.php?fbid=10207393772231779", ""},
      {"https://www.facebook.com/photo/?fbid=10207393772231779&set=a.1", "10207393772231779",
       "https://www.facebook.com/photo.php?fbid=10207393772231779", ""},
      {"https://www.facebook.com/unialesznoks/photos/pcb.3485430601537621/3485430308204317", "3485430308204317",
       "https://www.facebook.com/photo.php?fbid=3485430308204317", "unialesznoks"},
      {"https://www.facebook.com/almostlegalproductions/photos/a.1.2/871794932839866/", "871794932839866",
       "https://www.facebook.com/photo.php?fbid=871794932839866", "almostlegalproductions"},
      {"https://www.facebook.com/worlddeskwire/videos/1234567890123456/", "1234567890123456",
       "https://www.facebook.com/worlddeskwire/videos/1234567890123456/", "worlddeskwire"},
      {"https://www.facebook.com/worlddeskwire/videos/a-title/1234567890123456", "1234567890123456",
       "https://www.facebook.com/worlddeskwire/videos/1234567890123456/", "worlddeskwire"},
      {"https://www.facebook.com/video.php?v=998877665544", "998877665544", "https://www.facebook.com/watch/?v=998877665544", ""},
      {"https://www.facebook.com/watch/?v=998877665544&ref=sharing", "998877665544",
       "https://www.facebook.com/watch/?v=998877665544", ""},
      {"https://www.facebook.com/reel/887766554433", "887766554433", "https://www.facebook.com/reel/887766554433", ""},
      {"https://www.facebook.com/groups/123456789/posts/987654321/", "987654321",
       "https://www.facebook.com/groups/123456789/posts/987654321", ""},
      {"https://www.facebook.com/groups/somegroup/permalink/987654321/", "987654321",
       "https://www.facebook.com/groups/somegroup/posts/987654321", ""},
      {"https://www.facebook.com/notes/worlddeskwire/a-note/123123123", "123123123",
       "https://www.facebook.com/notes/worlddeskwire/a-note/123123123", "worlddeskwire"},
      // The plugin URL itself: href decoded once.
      {"https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fworlddeskwire%2Fposts%2F1092837465019283&width=500",
       "1092837465019283", "https://www.facebook.com/worlddeskwire/posts/1092837465019283", "worlddeskwire"},
  };
  for (const Case& c : cases) {
    const PostRef ref = Parse(c.url);
    CHECK(ref.platform == "facebook");
    CHECK(ref.post_id == c.id);
    CHECK(ref.url == c.canonical);
    CHECK(ref.author.value_or("") == c.author);
  }
  for (const char* not_post :
       {"https://www.facebook.com/worlddeskwire", "https://www.facebook.com/worlddeskwire/posts/",
        "https://www.facebook.com/worlddeskwire/about", "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fx",
        "https://www.facebook.com/plugins/like.php?href=http%3A%2F%2Fwww.facebook.com%2FUPROXX",
        "https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Fworlddeskwire",
        "https://www.facebook.com/photo.php?fbid=abc", "https://www.facebook.com/watch/?v=", "https://fb.watch/abcDEF/",
        "https://www.facebook.com/share/p/1AbCdEf/", "https://notfacebook.com/x/posts/1",
        "https://www.facebook.com/pages/UPROXX/116548701336"}) {
    INFO(not_post);
    CHECK_FALSE(Adapter().ParsePostUrl(not_post));
  }
}

TEST_CASE("facebook: the capture plan is the public post (or video) plugin", "[facebook]") {
  const auto plan = Adapter().CapturePlan(Parse("https://www.facebook.com/worlddeskwire/posts/1092837465019283"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == kPluginUrl);
  const auto video = Adapter().CapturePlan(Parse("https://www.facebook.com/watch/?v=998877665544"));
  REQUIRE(video.size() == 1);
  CHECK(video[0].url ==
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D998877665544"
        "&show_text=true&width=500");
}

TEST_CASE("facebook: the fixture world's plugin page is available with content", "[facebook]") {
  const PostRef post = Parse("https://www.facebook.com/worlddeskwire/posts/1092837465019283");
  const Observation o = Interpret(post, RawAnswer(PluginFile(), kPluginUrl));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "worlddeskwire");
  CHECK(o.content.author_name == "World Desk Wire");
  CHECK(o.content.created_at == "2024-10-20T14:30:00Z");
  CHECK(o.content.text ==
        "Satellite images published this morning show new vehicle staging areas near the border crossing. "
        "Our full report is linked in the comments.");
  REQUIRE(o.content.media.size() == 1);
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[0].url.rfind(
            "https://scontent.xx.fbcdn.net/v/t39.30808-6/464300112_1092837465019283_5512093847712231_n.jpg?", 0) == 0);
}

TEST_CASE("facebook: variants and synthetic answers give the right states, never deleted", "[facebook]") {
  const PostRef post = Parse("https://www.facebook.com/worlddeskwire/posts/1092837465019283");
  SECTION("'no longer available' is withheld: Facebook says the same for private posts") {
    const Observation o = Interpret(post, RawAnswer(Variant("post.unavailable"), kPluginUrl));
    CHECK(o.state == PostState::kWithheld);
    CHECK(o.reason.find("no longer available") != std::string::npos);
    CHECK(Interpret(post, Answer(200, "<html><body><p>This content isn't available right now</p></body></html>")).state ==
          PostState::kWithheld);
  }
  SECTION("a redirect to the login page, or a login form, is a login wall") {
    CHECK(Interpret(post, RawAnswer(Variant("post.login-redirect"), kPluginUrl)).state == PostState::kLoginRequired);
    const std::string login = embarc::testing::ReadFileText(World() / "www.facebook.com" / "login" / "index.html");
    CHECK(Interpret(post, Answer(200, login)).state == PostState::kLoginRequired);
    net::FetchResponse followed = RawAnswer(Variant("post.login-redirect"), kPluginUrl);
    followed.hops.push_back(Answer(200, login, "text/html", "https://www.facebook.com/login/?next=x").hops[0]);
    CHECK(Interpret(post, followed).state == PostState::kLoginRequired);
  }
  SECTION("429 is rate limiting") {
    CHECK(Interpret(post, RawAnswer(Variant("post.429"), kPluginUrl)).state == PostState::kRateLimited);
  }
  SECTION("404, 5xx, timeouts and unknown pages are unreachable") {
    CHECK(Interpret(post, Answer(404, "<html><body>Sorry, this page isn't available</body></html>")).state ==
          PostState::kUnreachable);
    CHECK(Interpret(post, Answer(503, "<html></html>")).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kConnectionFailed)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(200, "<html><body><p>Welcome</p></body></html>")).state == PostState::kUnreachable);
    CHECK(Adapter().Interpret(post, {}).state == PostState::kUnreachable);
  }
}

TEST_CASE("facebook: no recorded corpus answer exists for the platform", "[facebook]") {
  for (const auto& entry : fs::directory_iterator(embarc::testing::CorpusDir() / "api")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    CHECK(name.find("facebook") == std::string::npos);
  }
}
