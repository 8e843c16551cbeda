// The Telegram adapter: URL forms, capture plan, and reading the public post widget
// (t.me/{channel}/{id}?embed=1) — available, edited, "Post not found", private, failures.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "support/answers.h"

namespace {

namespace net = embarc::net;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

const embarc::platform::Adapter& Telegram() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("telegram");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "text/html; charset=utf-8") {
  return embarc::testing::OneAnswer(status, body, content_type);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

PostRef Ref(const std::string& url) {
  auto ref = Telegram().ParsePostUrl(url);
  REQUIRE(ref);
  return *ref;
}

Observation Interpret(const PostRef& post, net::FetchResponse widget) {
  const std::vector<net::FetchResponse> answers = {std::move(widget)};
  return Telegram().Interpret(post, answers);
}

// The widget page in the shape t.me serves (classes and structure as telegram-widget.js renders them).
std::string Widget(const std::string& data_post, const std::string& text, const std::string& meta_extra = "",
                   const std::string& media = "") {
  return R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Telegram Widget</title>
<script>var x = '<div class="tgme_widget_message_error">Post not found</div>';</script></head>
<body class="body_widget_post emoji_image nodark">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post=")" +
         data_post + R"(" data-view="eyJjIjo" data-peer="c1_x" data-post-id="1042">
  <div class="tgme_widget_message_user"><a href="https://t.me/WorldDeskWire"><i class="tgme_widget_message_user_photo bgcolor0" data-content="W"></i></a></div>
  <div class="tgme_widget_message_bubble">
    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/WorldDeskWire"><span dir="auto">World Desk Wire</span></a></div>
    )" + media + R"(
    <div class="tgme_widget_message_text js-message_text" dir="auto">)" +
         text + R"(</div>
    <div class="tgme_widget_message_footer compact js-message_footer">
      <div class="tgme_widget_message_info short js-message_info">
        <span class="tgme_widget_message_views">12.3K</span><span class="copyonly"> views</span><span class="tgme_widget_message_meta">)" +
         meta_extra + R"(<a class="tgme_widget_message_date" href="https://t.me/WorldDeskWire/1042"><time datetime="2024-10-20T09:15:00+00:00" class="time">09:15</time></a></span>
      </div>
    </div>
  </div>
</div>
</body></html>)";
}

std::string ErrorWidget(const std::string& message) {
  return R"(<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram Widget</title></head>
<body class="body_widget_post emoji_image nodark"><div class="tgme_widget_message_error">)" +
         message + R"(</div></body></html>)";
}

}  // namespace

TEST_CASE("telegram: URL forms give channel/id and canonical URLs", "[misc][telegram]") {
  struct Case {
    const char* url;
    const char* post_id;
    const char* canonical;
    const char* author;
  };
  const Case cases[] = {
      {"https://t.me/durov/68", "durov/68", "https://t.me/durov/68", "durov"},
      {"https://t.me/WorldDeskWire/1042?embed=1&userpic=false", "worlddeskwire/1042", "https://t.me/worlddeskwire/1042",
       "WorldDeskWire"},
      {"https://t.me/s/durov/68", "durov/68", "https://t.me/durov/68", "durov"},
      {"http://telegram.me/durov/68?single", "durov/68", "https://t.me/durov/68", "durov"},
      {"https://www.t.me/durov/0068/", "durov/68", "https://t.me/durov/68", "durov"},
      {"https://telegram.dog/durov/68?comment=5", "durov/68", "https://t.me/durov/68", "durov"},
      {"https://t.me/somegroup/12/345", "somegroup/345", "https://t.me/somegroup/345", "somegroup"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    const auto ref = Telegram().ParsePostUrl(c.url);
    REQUIRE(ref);
    CHECK(ref->platform == "telegram");
    CHECK(ref->post_id == c.post_id);
    CHECK(ref->url == c.canonical);
    CHECK(ref->author == c.author);
  }
  for (const char* not_a_post :
       {"https://t.me/durov", "https://t.me/s/durov", "https://t.me/c/1234567890/55", "https://t.me/joinchat/AAAA",
        "https://t.me/share/url?url=https%3A%2F%2Fnews.example", "https://t.me/addstickers/abc",
        "https://t.me/durov/0", "https://t.me/durov/abc", "https://t.me/_bad/1", "https://example.com/durov/68",
        "https://t.me/+AbCdEf/12"}) {
    INFO(not_a_post);
    CHECK_FALSE(Telegram().ParsePostUrl(not_a_post));
  }
}

TEST_CASE("telegram: capture plan is the public widget", "[misc][telegram]") {
  const auto plan = Telegram().CapturePlan(Ref("https://t.me/WorldDeskWire/1042"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == "https://t.me/worlddeskwire/1042?embed=1&mode=tme");
}

TEST_CASE("telegram: the widget reads as available with text, author, date and media", "[misc][telegram]") {
  const PostRef post = Ref("https://t.me/WorldDeskWire/1042");
  const Observation o =
      Interpret(post, Answer(200, Widget("WorldDeskWire/1042", "First line &amp; more<br/>Second <b>line</b>", "",
                                         R"x(<a class="tgme_widget_message_photo_wrap blured" href="https://t.me/WorldDeskWire/1042?single" style="width:800px;background-image:url('https://cdn4.telesco.pe/file/abc.jpg')"></a>
    <video class="tgme_widget_message_video js-message_video" src="https://cdn4.telesco.pe/file/v.mp4"></video>)x")));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "WorldDeskWire");
  CHECK(o.content.author_name == "World Desk Wire");
  CHECK(o.content.text == "First line & more\nSecond line");
  CHECK(o.content.created_at == "2024-10-20T09:15:00+00:00");
  CHECK(o.content.version.empty());
  REQUIRE(o.content.media.size() == 2);
  CHECK(o.content.media[0].url == "https://cdn4.telesco.pe/file/abc.jpg");
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[1].url == "https://cdn4.telesco.pe/file/v.mp4");
  CHECK(o.content.media[1].kind == "video");
}

TEST_CASE("telegram: an edited post carries version \"edited\"", "[misc][telegram]") {
  const PostRef post = Ref("https://t.me/worlddeskwire/1042");
  const Observation o = Interpret(post, Answer(200, Widget("worlddeskwire/1042", "New text", "edited ")));
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.version == "edited");
  CHECK(o.content.text == "New text");
}

TEST_CASE("telegram: Post not found is deleted, a private channel is withheld", "[misc][telegram]") {
  const PostRef post = Ref("https://t.me/worlddeskwire/1042");
  const Observation deleted = Interpret(post, Answer(200, ErrorWidget("Post not found")));
  CHECK(deleted.state == PostState::kDeleted);
  CHECK(deleted.reason.find("Post not found") != std::string::npos);
  CHECK(Interpret(post, Answer(200, ErrorWidget("Channel is private"))).state == PostState::kWithheld);
  CHECK(Interpret(post, Answer(200, ErrorWidget("This channel can't be displayed because it violated local laws.")))
            .state == PostState::kWithheld);
  // An error text embarc does not know is not a deletion.
  CHECK(Interpret(post, Answer(200, ErrorWidget("Something went wrong"))).state == PostState::kUnreachable);
  // "Post not found" inside a script is not the page's message.
  CHECK(Interpret(post, Answer(200, Widget("worlddeskwire/1042", "hi"))).state == PostState::kAvailable);
}

TEST_CASE("telegram: failures and odd answers are never deletions", "[misc][telegram]") {
  const PostRef post = Ref("https://t.me/worlddeskwire/1042");
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kReset)).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, "Too Many Requests", "text/plain")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Answer(503, "", "text/html")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(404, ErrorWidget("Post not found"))).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "<html><body>nothing here</body></html>")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "{}", "application/json")).state == PostState::kUnreachable);
  // The widget about another post is not this post.
  CHECK(Interpret(post, Answer(200, Widget("worlddeskwire/1043", "other"))).state == PostState::kUnreachable);
  CHECK(Telegram().Interpret(post, {}).state == PostState::kUnreachable);
}
