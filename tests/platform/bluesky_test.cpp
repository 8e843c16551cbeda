// The Bluesky adapter: URL forms, capture plan, and reading answers (every
// recorded bsky answer in corpus/api, plus synthetic failures).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/platform/bluesky.h"
#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace net = embarc::net;
namespace bluesky = embarc::platform::bluesky;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;
using Json = nlohmann::json;

constexpr const char* kDid = "did:plc:ic6zqvuw5ulmfpjiwnhsr2ns";
constexpr const char* kRkey = "3k7qmjev5lr2s";
constexpr const char* kPostId = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s";
constexpr const char* kCid = "bafyreifk6pyilxkm7vcingnkdbzueaftqg54i3al4zbh5p3jy3pryfkc3a";

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "application/json") {
  return embarc::testing::OneAnswer(status, body, content_type);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

Json RecordedJson(const std::string& file) {
  return Json::parse(embarc::testing::ReadFileText(embarc::testing::CorpusDir() / "api" / file));
}

// A recorded answer: its status from the provenance, its body as recorded.
net::FetchResponse Recorded(const std::string& file) { return embarc::testing::RecordedApiAnswer(file); }

const embarc::platform::Adapter& Adapter() { return bluesky::BlueskyAdapter(); }

PostRef Post() { return *bluesky::ParseBlueskyUrl(kPostId); }

Observation Interpret(net::FetchResponse app_view, net::FetchResponse record, const PostRef& post = Post()) {
  const std::vector<net::FetchResponse> answers = {std::move(app_view), std::move(record)};
  return Adapter().Interpret(post, answers);
}

net::FetchResponse NotFound() {
  return Answer(400, std::string(R"({"error":"NotFound","message":"Post not found: )") + kPostId + "\"}");
}
net::FetchResponse RecordNotFound() {
  return Answer(400, std::string(R"({"error":"RecordNotFound","message":"Could not locate record: )") + kPostId + "\"}");
}
net::FetchResponse RepoNotHere() {
  return Answer(400, std::string(R"({"error":"InvalidRequest","message":"Could not find repo: )") + kDid + "\"}");
}

// The recorded thread with `labels` on the post or its author.
net::FetchResponse ThreadWithLabel(const std::string& where, const std::string& value) {
  Json thread = RecordedJson("bluesky__f_postthread.json").at("response");
  Json& subject = where == "post" ? thread["thread"]["post"] : thread["thread"]["post"]["author"];
  Json label = Json::object();
  label["src"] = kDid;
  label["uri"] = kPostId;
  label["val"] = value;
  label["cts"] = "2024-01-01T00:00:00Z";
  subject["labels"] = Json::array();
  subject["labels"].push_back(label);
  return Answer(200, thread.dump());
}

}  // namespace

TEST_CASE("bluesky: URL forms give the AT-URI post_id and the DID canonical URL", "[fedi][bluesky]") {
  const std::string canonical = std::string("https://bsky.app/profile/") + kDid + "/post/" + kRkey;
  for (const std::string& form : {
           std::string(kPostId),
           canonical,
           canonical + "?ref_src=embed",
           canonical + "/liked-by",
           std::string("https://bsky.app/profile/did%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns/post/") + kRkey,
           std::string("https://www.bsky.app/profile/") + kDid + "/post/" + kRkey,
           std::string("https://staging.bsky.app/profile/") + kDid + "/post/" + kRkey,
           std::string("https://embed.bsky.app/embed/") + kDid + "/app.bsky.feed.post/" + kRkey + "?id=123&colorMode=system",
           std::string("  ") + kPostId + "\n",
       }) {
    INFO(form);
    const std::optional<PostRef> ref = bluesky::ParseBlueskyUrl(form);
    REQUIRE(ref);
    CHECK(ref->platform == "bluesky");
    CHECK(ref->post_id == kPostId);
    CHECK(ref->url == canonical);
    CHECK_FALSE(ref->author);
    // The platform-wide parser routes it to this adapter.
    auto routed = embarc::platform::ParsePostUrl(form);
    REQUIRE(routed);
    CHECK(routed->platform == "bluesky");
  }
}

TEST_CASE("bluesky: a handle URL keeps the handle (lower-cased) as authority and author", "[fedi][bluesky]") {
  const auto ref = bluesky::ParseBlueskyUrl("https://bsky.app/profile/CatsOfYore.bsky.social/post/3kshwuxmy5o2y");
  REQUIRE(ref);
  CHECK(ref->post_id == "at://catsofyore.bsky.social/app.bsky.feed.post/3kshwuxmy5o2y");
  CHECK(ref->url == "https://bsky.app/profile/catsofyore.bsky.social/post/3kshwuxmy5o2y");
  CHECK(ref->author == "catsofyore.bsky.social");
  const auto did_web = bluesky::ParseBlueskyUrl("at://did:web:example.com/app.bsky.feed.post/3kshwuxmy5o2y");
  REQUIRE(did_web);
  CHECK(did_web->url == "https://bsky.app/profile/did:web:example.com/post/3kshwuxmy5o2y");
}

TEST_CASE("bluesky: profiles, feeds, other collections and other hosts are not posts", "[fedi][bluesky]") {
  for (const std::string& form : {
           std::string("https://bsky.app/profile/") + kDid,
           std::string("https://bsky.app/profile/") + kDid + "/feed/whats-hot",
           std::string("https://bsky.app/profile/") + kDid + "/lists/3k",
           std::string("at://") + kDid + "/app.bsky.feed.like/" + kRkey,
           std::string("at://") + kDid + "/app.bsky.feed.post/",
           std::string("at://") + kDid + "/app.bsky.feed.post/bad key",
           std::string("https://bsky.app/profile/not a handle/post/") + kRkey,
           std::string("https://bsky.app/profile/localhost/post/") + kRkey,
           std::string("https://example.com/profile/") + kDid + "/post/" + kRkey,
           std::string("https://embed.bsky.app/static/embed.js"),
           std::string("ftp://bsky.app/profile/") + kDid + "/post/" + kRkey,
           std::string("https://bsky.app/profile/") + kDid + "/post/" + std::string(600, 'a'),
       }) {
    INFO(form);
    CHECK_FALSE(bluesky::ParseBlueskyUrl(form));
  }
}

TEST_CASE("bluesky: the capture plan asks the AppView and the record through bsky.social", "[fedi][bluesky]") {
  const auto plan = Adapter().CapturePlan(Post());
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].url ==
        "https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns"
        "%2Fapp.bsky.feed.post%2F3k7qmjev5lr2s&depth=0");
  CHECK(plan[1].url ==
        "https://bsky.social/xrpc/com.atproto.repo.getRecord?repo=did%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns"
        "&collection=app.bsky.feed.post&rkey=3k7qmjev5lr2s");
}

TEST_CASE("bluesky: the recorded thread and record are an available post with its CID", "[fedi][bluesky]") {
  const Observation o = Interpret(Recorded("bluesky__f_postthread.json"), Recorded("bluesky__r_getRecord.json"));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "soubhikbarari.bsky.social");
  CHECK(o.content.author_name == "Soubhik Barari");
  CHECK(o.content.created_at == "2023-09-19T11:32:54.574Z");
  CHECK(o.content.text.rfind("Excited to be a speaker for the \n@rstatsai conf", 0) == 0);
  CHECK(o.content.lang == "en");
  CHECK(o.content.version == kCid);
  REQUIRE(o.content.media.size() == 1);
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[0].url ==
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/"
        "bafkreictkyws7qbruuupes52t6k5o5o5qfggf7pm6urzz7dyty53gzu3h4@jpeg");
}

TEST_CASE("bluesky: the record alone (AppView down) gives the same text, CID and image", "[fedi][bluesky]") {
  const Observation from_app_view =
      Interpret(Recorded("bluesky__f_postthread.json"), Recorded("bluesky__r_getRecord.json"));
  for (auto app_view : {Answer(503, "upstream failure", "text/plain"), Failed(net::FetchOutcome::kTimeout),
                        Answer(429, R"({"error":"RateLimitExceeded"})")}) {
    const Observation o = Interpret(app_view, Recorded("bluesky__r_getRecord.json"));
    INFO(o.reason);
    REQUIRE(o.state == PostState::kAvailable);
    CHECK(o.content.text == from_app_view.content.text);
    CHECK(o.content.version == kCid);
    CHECK(o.content.created_at == from_app_view.content.created_at);
    REQUIRE(o.content.media.size() == 1);
    CHECK(o.content.media[0].url == from_app_view.content.media[0].url);
    CHECK(o.content.author == kDid);  // the record names no handle
  }
}

TEST_CASE("bluesky: answers of other XRPC methods say nothing about the post", "[fedi][bluesky]") {
  // getPosts and getAuthorFeed are not thread answers; a createRecord error is no NotFound.
  for (const std::string file : {"bluesky__f_getposts.json", "bluesky__f_autfeed.json", "bluesky__r_post_errors.json"}) {
    INFO(file);
    const Observation alone = Interpret(Recorded(file), Failed(net::FetchOutcome::kReset));
    INFO(alone.reason);
    CHECK(alone.state == PostState::kUnreachable);
    const Observation with_record = Interpret(Recorded(file), Recorded("bluesky__r_getRecord.json"));
    CHECK(with_record.state == PostState::kAvailable);
  }
}

TEST_CASE("bluesky: every post view of the recorded author feed reads as a thread answer", "[fedi][bluesky]") {
  const Json feed = RecordedJson("bluesky__f_autfeed.json").at("response").at("feed");
  REQUIRE(feed.size() == 50);
  int not_found = 0;
  for (const Json& item : feed) {
    Json thread = {{"thread", {{"$type", "app.bsky.feed.defs#threadViewPost"}, {"post", item.at("post")}}}};
    const Observation o = Interpret(Answer(200, thread.dump()), Failed(net::FetchOutcome::kTimeout));
    INFO(o.reason);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.version == item.at("post").at("cid").get<std::string>());
    CHECK(o.content.author == item.at("post").at("author").at("handle").get<std::string>());
    // Deleted ancestors appear as #notFoundPost: as a thread answer they are a deletion.
    if (item.contains("reply")) {
      for (const char* which : {"root", "parent"}) {
        const Json& ancestor = item.at("reply").at(which);
        if (ancestor.value("$type", "") != "app.bsky.feed.defs#notFoundPost") continue;
        ++not_found;
        const PostRef ref = *bluesky::ParseBlueskyUrl(ancestor.at("uri").get<std::string>());
        const Observation gone =
            Interpret(Answer(200, Json{{"thread", ancestor}}.dump()), Failed(net::FetchOutcome::kTimeout), ref);
        CHECK(gone.state == PostState::kDeleted);
      }
    }
  }
  CHECK(not_found == 6);
}

TEST_CASE("bluesky: positive not-found signals are a deletion", "[fedi][bluesky]") {
  SECTION("AppView NotFound and the record cannot be located") {
    CHECK(Interpret(NotFound(), RecordNotFound()).state == PostState::kDeleted);
  }
  SECTION("AppView NotFound, the record host unreachable") {
    CHECK(Interpret(NotFound(), Failed(net::FetchOutcome::kTimeout)).state == PostState::kDeleted);
    CHECK(Interpret(NotFound(), RepoNotHere()).state == PostState::kDeleted);
  }
  SECTION("AppView down, the record cannot be located") {
    CHECK(Interpret(Answer(502, "bad gateway", "text/html"), RecordNotFound()).state == PostState::kDeleted);
  }
  SECTION("a #notFoundPost thread") {
    const std::string body = std::string(R"({"thread":{"$type":"app.bsky.feed.defs#notFoundPost","uri":")") + kPostId +
                             R"(","notFound":true}})";
    const Observation o = Interpret(Answer(200, body), RecordNotFound());
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("notFoundPost") != std::string::npos);
  }
}

TEST_CASE("bluesky: a handle-keyed NotFound alone is no deletion", "[fedi][bluesky]") {
  const PostRef by_handle = *bluesky::ParseBlueskyUrl("https://bsky.app/profile/someone.example/post/3kshwuxmy5o2y");
  CHECK(Interpret(NotFound(), Failed(net::FetchOutcome::kTimeout), by_handle).state == PostState::kUnreachable);
  CHECK(Interpret(NotFound(), RecordNotFound(), by_handle).state == PostState::kDeleted);
}

TEST_CASE("bluesky: moderation and blocks are withheld, never deleted", "[fedi][bluesky]") {
  SECTION("a #blockedPost thread") {
    const std::string body = std::string(R"({"thread":{"$type":"app.bsky.feed.defs#blockedPost","uri":")") + kPostId +
                             R"(","blocked":true,"author":{"did":")" + kDid + R"("}}})";
    CHECK(Interpret(Answer(200, body), Recorded("bluesky__r_getRecord.json")).state == PostState::kWithheld);
  }
  SECTION("a takedown label on the post") {
    CHECK(Interpret(ThreadWithLabel("post", "!takedown"), Recorded("bluesky__r_getRecord.json")).state ==
          PostState::kWithheld);
  }
  SECTION("a suspension label on the author") {
    CHECK(Interpret(ThreadWithLabel("author", "!suspend"), RecordNotFound()).state == PostState::kWithheld);
  }
  SECTION("the AppView cannot find a record the repository still holds") {
    CHECK(Interpret(NotFound(), Recorded("bluesky__r_getRecord.json")).state == PostState::kWithheld);
  }
  SECTION("the repository is taken down") {
    CHECK(Interpret(NotFound(), Answer(400, R"({"error":"RepoTakendown","message":"Repo has been takendown"})"))
              .state == PostState::kWithheld);
  }
  SECTION("403") {
    CHECK(Interpret(Answer(403, R"({"error":"Forbidden"})"), Failed(net::FetchOutcome::kTimeout)).state ==
          PostState::kWithheld);
  }
}

TEST_CASE("bluesky: a self-label asking for sign-in keeps the post available", "[fedi][bluesky]") {
  const Observation o = Interpret(ThreadWithLabel("author", "!no-unauthenticated"), Failed(net::FetchOutcome::kTimeout));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.reason.find("no-unauthenticated") != std::string::npos);
}

TEST_CASE("bluesky: login walls, rate limits and network failures are never deletions", "[fedi][bluesky]") {
  SECTION("401 from both") {
    const auto wall = Answer(401, R"({"error":"AuthRequired","message":"Authentication Required"})");
    CHECK(Interpret(wall, wall).state == PostState::kLoginRequired);
  }
  SECTION("an HTML page instead of JSON") {
    const auto page = Answer(200, "<!doctype html><title>Sign in</title>", "text/html");
    CHECK(Interpret(page, RepoNotHere()).state == PostState::kUnreachable);
  }
  SECTION("429") {
    const auto limited = Answer(429, R"({"error":"RateLimitExceeded","message":"Rate Limit Exceeded"})");
    CHECK(Interpret(limited, limited).state == PostState::kRateLimited);
    CHECK(Interpret(limited, RepoNotHere()).state == PostState::kRateLimited);
  }
  SECTION("503 and 500") {
    CHECK(Interpret(Answer(503, "", "text/plain"), Answer(500, R"({"error":"InternalServerError"})")).state ==
          PostState::kUnreachable);
  }
  SECTION("timeout, reset, TLS") {
    for (const auto outcome : {net::FetchOutcome::kTimeout, net::FetchOutcome::kReset, net::FetchOutcome::kTls,
                               net::FetchOutcome::kConnectionFailed}) {
      const Observation o = Interpret(Failed(outcome), Failed(outcome));
      CHECK(o.state == PostState::kUnreachable);
      CHECK(o.reason.find("simulated") != std::string::npos);
    }
  }
  SECTION("a plain 404 (not an XRPC answer)") {
    CHECK(Interpret(Answer(404, "Not Found\n", "text/plain"), Answer(404, "Not Found\n", "text/plain")).state ==
          PostState::kUnreachable);
  }
  SECTION("no answers at all") {
    CHECK(Adapter().Interpret(Post(), {}).state == PostState::kUnreachable);
  }
}

TEST_CASE("bluesky: a different CID in the repository is reported", "[fedi][bluesky]") {
  Json record = RecordedJson("bluesky__r_getRecord.json").at("response");
  record["cid"] = "bafyreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const Observation o = Interpret(Recorded("bluesky__f_postthread.json"), Answer(200, record.dump()));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.version == kCid);
  CHECK(o.reason.find("repository holds") != std::string::npos);
}

TEST_CASE("bluesky: video and record-with-media views give their media", "[fedi][bluesky]") {
  Json thread = RecordedJson("bluesky__f_postthread.json").at("response");
  thread["thread"]["post"]["embed"] = {
      {"$type", "app.bsky.embed.recordWithMedia#view"},
      {"media",
       {{"$type", "app.bsky.embed.video#view"},
        {"cid", "bafkreivideo"},
        {"playlist", "https://video.bsky.app/watch/did%3Aplc%3Ax/bafkreivideo/playlist.m3u8"},
        {"thumbnail", "https://video.bsky.app/watch/did%3Aplc%3Ax/bafkreivideo/thumbnail.jpg"}}}};
  const Observation o = Interpret(Answer(200, thread.dump()), Failed(net::FetchOutcome::kTimeout));
  REQUIRE(o.content.media.size() == 2);
  CHECK(o.content.media[0].kind == "poster");
  CHECK(o.content.media[1].kind == "video");
  CHECK(o.content.media[1].url.find("playlist.m3u8") != std::string::npos);
}
