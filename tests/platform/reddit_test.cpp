// The Reddit adapter: URL forms, capture plan, and reading answers (the recorded
// oEmbed answers from the corpus, listings in Reddit's shape, synthetic failures).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace net = embarc::net;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;
using Json = nlohmann::json;

const embarc::platform::Adapter& Reddit() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("reddit");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "application/json",
                          std::vector<std::string> hop_urls = {}) {
  return embarc::testing::OneAnswer(status, body, content_type, "", {}, hop_urls);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

net::FetchResponse Recorded(const std::string& file) { return embarc::testing::RecordedApiAnswer(file); }

PostRef Ref(const std::string& url) {
  auto ref = Reddit().ParsePostUrl(url);
  REQUIRE(ref);
  return *ref;
}

// A post's data in the listing's shape (fields as Reddit's /comments/{id}.json has them).
Json PostData() {
  return Json{{"kind", "t3"},
              {"data",
               {{"name", "t3_7pfpeq"},
                {"id", "7pfpeq"},
                {"subreddit", "investing"},
                {"author", "dennisrieves"},
                {"title", "Buffett on cyrptocurrencies"},
                {"selftext", ""},
                {"is_self", false},
                {"url", "https://news.example/markets/buffett.html"},
                {"url_overridden_by_dest", "https://news.example/markets/buffett.html"},
                {"created_utc", 1515595064.0},
                {"edited", false},
                {"removed_by_category", nullptr},
                {"permalink", "/r/investing/comments/7pfpeq/buffett_on_cyrptocurrencies/"}}}};
}

std::string Listing(const Json& thing, const Json& comments = Json::array()) {
  return Json::array({Json{{"kind", "Listing"}, {"data", {{"children", Json::array({thing})}}}},
                      Json{{"kind", "Listing"}, {"data", {{"children", comments}}}}})
      .dump();
}

Observation Interpret(const PostRef& post, net::FetchResponse listing, net::FetchResponse oembed) {
  const std::vector<net::FetchResponse> answers = {std::move(listing), std::move(oembed)};
  return Reddit().Interpret(post, answers);
}

net::FetchResponse OEmbedOk() { return Recorded("oembed__reddit.com__89faebb9.json"); }

}  // namespace

TEST_CASE("reddit: URL forms give fullnames and canonical URLs", "[misc][reddit]") {
  struct Case {
    const char* url;
    const char* post_id;
    const char* canonical;
  };
  const Case cases[] = {
      {"https://www.reddit.com/r/investing/comments/7pfpeq/buffett_on_cyrptocurrencies_i_can_say_almost_with/",
       "t3_7pfpeq", "https://www.reddit.com/r/investing/comments/7pfpeq/"},
      {"https://www.reddit.com/r/investing/comments/7pfpeq/buffett/?ref_source=embed&ref=share", "t3_7pfpeq",
       "https://www.reddit.com/r/investing/comments/7pfpeq/"},
      {"https://old.reddit.com/r/cats/comments/1cretsi/made_this_mistake/?rdt=59640", "t3_1cretsi",
       "https://www.reddit.com/r/cats/comments/1cretsi/"},
      {"https://np.reddit.com/r/Eldenring/comments/TUSANF", "t3_tusanf", "https://www.reddit.com/r/Eldenring/comments/tusanf/"},
      {"https://m.reddit.com/r/Eldenring/comments/tusanf/dude/", "t3_tusanf",
       "https://www.reddit.com/r/Eldenring/comments/tusanf/"},
      {"https://reddit.com/comments/7pfpeq", "t3_7pfpeq", "https://www.reddit.com/comments/7pfpeq/"},
      {"https://redd.it/7pfpeq", "t3_7pfpeq", "https://www.reddit.com/comments/7pfpeq/"},
      {"https://www.reddit.com/gallery/1cretsi", "t3_1cretsi", "https://www.reddit.com/comments/1cretsi/"},
      {"https://www.reddit.com/user/niccia/comments/abc123/my_post/", "t3_abc123",
       "https://www.reddit.com/user/niccia/comments/abc123/"},
      // Comments: the 2023+ /comment/{id}/ form and the old /{slug}/{id}/ form.
      {"https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/", "t1_gvmdzdq",
       "https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/"},
      {"https://www.reddit.com/r/flightattendants/comments/mx1l5m/which_of_you/gvmdzdq/?context=3", "t1_gvmdzdq",
       "https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/"},
      {"https://www.reddit.com/comments/mx1l5m/_/gvmdzdq/", "t1_gvmdzdq",
       "https://www.reddit.com/comments/mx1l5m/_/gvmdzdq/"},
      // Embed endpoints are post URLs too.
      {"https://www.redditmedia.com/r/investing/comments/7pfpeq/buffett/?ref_source=embed&ref=share&embed=true",
       "t3_7pfpeq", "https://www.reddit.com/r/investing/comments/7pfpeq/"},
      {"https://embed.reddit.com/r/cats/comments/1cretsi/made_this_mistake/", "t3_1cretsi",
       "https://www.reddit.com/r/cats/comments/1cretsi/"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    const auto ref = Reddit().ParsePostUrl(c.url);
    REQUIRE(ref);
    CHECK(ref->platform == "reddit");
    CHECK(ref->post_id == c.post_id);
    CHECK(ref->url == c.canonical);
    // The canonical URL parses to the same post.
    const auto again = Reddit().ParsePostUrl(ref->url);
    REQUIRE(again);
    CHECK(again->post_id == ref->post_id);
  }
  for (const char* not_a_post :
       {"https://www.reddit.com/", "https://www.reddit.com/r/investing/", "https://www.reddit.com/user/niccia/",
        "https://www.reddit.com/r/investing/s/AbCdEf123", "https://www.reddit.com/submit?url=https%3A%2F%2Fx",
        "https://www.reddit.com/r/investing/comments/", "https://example.com/r/investing/comments/7pfpeq/",
        "https://www.reddit.com/r/investing/comments/not-an-id!/", "ftp://www.reddit.com/comments/7pfpeq"}) {
    INFO(not_a_post);
    CHECK_FALSE(Reddit().ParsePostUrl(not_a_post));
  }
}

TEST_CASE("reddit: capture plan is the JSON listing then oEmbed, with a descriptive User-Agent", "[misc][reddit]") {
  const auto plan = Reddit().CapturePlan(Ref("https://www.reddit.com/r/investing/comments/7pfpeq/buffett/"));
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].url == "https://www.reddit.com/comments/7pfpeq.json?limit=1&raw_json=1");
  CHECK(plan[1].url ==
        "https://www.reddit.com/oembed?url=https%3A%2F%2Fwww.reddit.com%2Fr%2Finvesting%2Fcomments%2F7pfpeq%2F&format=json");
  for (const auto& request : plan) {
    bool has_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (name == "User-Agent") has_agent = value.find("embarc") != std::string::npos;
    }
    CHECK(has_agent);
  }
  const auto comment = Reddit().CapturePlan(Ref("https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/"));
  REQUIRE(comment.size() == 2);
  CHECK(comment[0].url == "https://www.reddit.com/r/flightattendants/comments/mx1l5m/_/gvmdzdq.json?raw_json=1");
}

TEST_CASE("reddit: every recorded oEmbed answer reads as available when the listing is blocked", "[misc][reddit]") {
  const PostRef post = Ref("https://www.reddit.com/r/investing/comments/7pfpeq/");
  for (const char* file : {"oembed__reddit.com__3ede068a.json", "oembed__reddit.com__89faebb9.json",
                           "oembed__reddit.com__ce357a92.json"}) {
    INFO(file);
    const Observation o = Interpret(post, Answer(403, "<html>blocked</html>", "text/html"), Recorded(file));
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "dennisrieves");
    CHECK(o.content.text ==
          "Buffett on cyrptocurrencies: 'I can say almost with certainty that they will come to a bad ending'");
    const Observation timeout = Interpret(post, Failed(net::FetchOutcome::kTimeout), Recorded(file));
    CHECK(timeout.state == PostState::kAvailable);
  }
}

TEST_CASE("reddit: a listing reads as available with normalised content and the edited version", "[misc][reddit]") {
  const PostRef post = Ref("https://www.reddit.com/r/investing/comments/7pfpeq/");
  SECTION("a link post, never edited") {
    const Observation o = Interpret(post, Answer(200, Listing(PostData())), OEmbedOk());
    REQUIRE(o.state == PostState::kAvailable);
    CHECK(o.content.author == "dennisrieves");
    CHECK(o.content.created_at == "2018-01-10T14:37:44Z");
    CHECK(o.content.text == "Buffett on cyrptocurrencies\n\nhttps://news.example/markets/buffett.html");
    CHECK(o.content.version == "false");
    CHECK(o.content.media.empty());
  }
  SECTION("an edited self post with an image") {
    Json thing = PostData();
    thing["data"]["is_self"] = true;
    thing["data"]["selftext"] = "Body text & more";
    thing["data"]["url_overridden_by_dest"] = "https://i.redd.it/abc123.jpg";
    thing["data"]["post_hint"] = "image";
    thing["data"]["edited"] = 1515600000.0;
    const Observation o = Interpret(post, Answer(200, Listing(thing)), Failed(net::FetchOutcome::kReset));
    REQUIRE(o.state == PostState::kAvailable);
    CHECK(o.content.text == "Buffett on cyrptocurrencies\n\nBody text & more");
    CHECK(o.content.version == "1515600000");
    REQUIRE(o.content.media.size() == 1);
    CHECK(o.content.media[0].url == "https://i.redd.it/abc123.jpg");
    CHECK(o.content.media[0].kind == "photo");
  }
  SECTION("a gallery and a Reddit video") {
    Json thing = PostData();
    thing["data"]["gallery_data"] = {{"items", Json::array({{{"media_id", "x1"}}, {{"media_id", "y2"}}})}};
    thing["data"]["media_metadata"] = {{"x1", {{"m", "image/jpg"}}}, {"y2", {{"m", "image/png"}}}};
    thing["data"]["secure_media"] = {{"reddit_video", {{"fallback_url", "https://v.redd.it/q/DASH_720.mp4"}}}};
    const Observation o = Interpret(post, Answer(200, Listing(thing)), OEmbedOk());
    REQUIRE(o.content.media.size() == 3);
    CHECK(o.content.media[0].url == "https://i.redd.it/x1.jpg");
    CHECK(o.content.media[1].url == "https://i.redd.it/y2.png");
    CHECK(o.content.media[2].kind == "video");
  }
}

TEST_CASE("reddit: a comment is read from the comment listing", "[misc][reddit]") {
  const PostRef comment = Ref("https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/");
  Json post = PostData();
  post["data"]["name"] = "t3_mx1l5m";
  const Json reply = {{"kind", "t1"},
                      {"data",
                       {{"name", "t1_gvmdzdq"},
                        {"author", "Tralalaladey"},
                        {"body", "The comment."},
                        {"created_utc", 1619200000},
                        {"edited", 1619300000}}}};
  const Observation o = Interpret(comment, Answer(200, Listing(post, Json::array({reply}))), OEmbedOk());
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "Tralalaladey");
  CHECK(o.content.text == "The comment.");
  CHECK(o.content.version == "1619300000");

  Json deleted = reply;
  deleted["data"]["author"] = "[deleted]";
  deleted["data"]["body"] = "[deleted]";
  CHECK(Interpret(comment, Answer(200, Listing(post, Json::array({deleted}))), OEmbedOk()).state == PostState::kDeleted);
  Json removed = reply;
  removed["data"]["body"] = "[removed]";
  CHECK(Interpret(comment, Answer(200, Listing(post, Json::array({removed}))), OEmbedOk()).state == PostState::kWithheld);
  // The listing does not contain the comment: not a deletion.
  CHECK(Interpret(comment, Answer(200, Listing(post)), Failed(net::FetchOutcome::kTimeout)).state ==
        PostState::kUnreachable);
}

TEST_CASE("reddit: deleted by the author, removed by moderators", "[misc][reddit]") {
  const PostRef post = Ref("https://www.reddit.com/r/investing/comments/7pfpeq/");
  SECTION("[deleted] author and selftext") {
    Json thing = PostData();
    thing["data"]["author"] = "[deleted]";
    thing["data"]["selftext"] = "[deleted]";
    // oEmbed still answers for deleted posts: the listing decides.
    const Observation o = Interpret(post, Answer(200, Listing(thing)), OEmbedOk());
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("deleted") != std::string::npos);
  }
  SECTION("removed_by_category deleted") {
    Json thing = PostData();
    thing["data"]["removed_by_category"] = "deleted";
    CHECK(Interpret(post, Answer(200, Listing(thing)), OEmbedOk()).state == PostState::kDeleted);
  }
  SECTION("removed by moderators or admins is withheld") {
    for (const char* category : {"moderator", "reddit", "anti_evil_ops", "copyright_takedown"}) {
      Json thing = PostData();
      thing["data"]["removed_by_category"] = category;
      thing["data"]["selftext"] = "[removed]";
      CHECK(Interpret(post, Answer(200, Listing(thing)), OEmbedOk()).state == PostState::kWithheld);
    }
    Json thing = PostData();
    thing["data"]["selftext"] = "[removed]";
    CHECK(Interpret(post, Answer(200, Listing(thing)), OEmbedOk()).state == PostState::kWithheld);
  }
  SECTION("an account deleted later is not a deleted post") {
    Json thing = PostData();
    thing["data"]["author"] = "[deleted]";
    thing["data"]["selftext"] = "still here";
    const Observation o = Interpret(post, Answer(200, Listing(thing)), OEmbedOk());
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "[deleted]");
  }
  SECTION("Reddit's 404 for a post that does not exist") {
    const std::string not_found = R"({"message": "Not Found", "error": 404})";
    CHECK(Interpret(post, Answer(404, not_found), Answer(404, not_found)).state == PostState::kDeleted);
    // ... unless oEmbed shows the post.
    CHECK(Interpret(post, Answer(404, not_found), OEmbedOk()).state == PostState::kAvailable);
  }
}

TEST_CASE("reddit: private, quarantined and banned subreddits are withheld, login gates are login_required",
          "[misc][reddit]") {
  const PostRef post = Ref("https://www.reddit.com/r/investing/comments/7pfpeq/");
  const auto failed_oembed = [] { return Answer(403, "", "text/html"); };
  CHECK(Interpret(post, Answer(403, R"({"reason": "private", "message": "Forbidden", "error": 403})"), failed_oembed())
            .state == PostState::kWithheld);
  CHECK(Interpret(post, Answer(403, R"({"reason": "quarantined", "message": "Forbidden", "error": 403})"),
                  failed_oembed())
            .state == PostState::kWithheld);
  CHECK(Interpret(post, Answer(404, R"({"reason": "banned", "message": "Not Found", "error": 404})"), failed_oembed())
            .state == PostState::kWithheld);
  CHECK(Interpret(post, Answer(401, R"({"message": "Unauthorized", "error": 401})"), failed_oembed()).state ==
        PostState::kLoginRequired);
  CHECK(Interpret(post,
                  Answer(200, "<html><form>log in</form></html>", "text/html",
                         {"https://www.reddit.com/comments/7pfpeq.json", "https://www.reddit.com/login/?dest=x"}),
                  failed_oembed())
            .state == PostState::kLoginRequired);
}

TEST_CASE("reddit: network failures, 403 blocks, 404 pages, 429 and 5xx are never deletions", "[misc][reddit]") {
  const PostRef post = Ref("https://www.reddit.com/r/investing/comments/7pfpeq/");
  const std::vector<std::pair<net::FetchResponse, PostState>> cases = {
      {Failed(net::FetchOutcome::kTimeout), PostState::kUnreachable},
      {Failed(net::FetchOutcome::kReset), PostState::kUnreachable},
      {Failed(net::FetchOutcome::kConnectionFailed), PostState::kUnreachable},
      {Failed(net::FetchOutcome::kTls), PostState::kUnreachable},
      {Answer(503, "Service Unavailable", "text/plain"), PostState::kUnreachable},
      {Answer(500, "", "text/html"), PostState::kUnreachable},
      {Answer(429, R"({"message": "Too Many Requests", "error": 429})"), PostState::kRateLimited},
      {Answer(403, "<html>You've been blocked by network security.</html>", "text/html"), PostState::kUnreachable},
      {Answer(404, "Not Found\n", "text/plain"), PostState::kUnreachable},
      {Answer(200, "<html>not json</html>", "text/html"), PostState::kUnreachable},
      {Answer(200, "[]"), PostState::kUnreachable},
  };
  for (const auto& [listing, expected] : cases) {
    for (const auto& oembed : {Failed(net::FetchOutcome::kTimeout), Answer(404, "", "text/html"),
                               Answer(429, "", "text/html"), Answer(503, "", "text/html")}) {
      const Observation o = Interpret(post, listing, oembed);
      INFO(o.reason);
      CHECK(o.state != PostState::kDeleted);
      if (expected != PostState::kUnreachable) CHECK(o.state == expected);
    }
  }
  // Nothing fetched at all.
  CHECK(Reddit().Interpret(post, {}).state == PostState::kUnreachable);
}
