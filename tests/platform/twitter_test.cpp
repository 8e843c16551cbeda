// The Twitter/X adapter: syndication token, capture plan, and reading answers
// (recorded real answers from the corpus, plus synthetic failures).
#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/platform/platform.h"
#include "embarc/platform/twitter.h"
#include "support/support.h"

namespace {

namespace net = embarc::net;
namespace twitter = embarc::platform::twitter;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "application/json",
                          net::HeaderList extra = {}) {
  net::FetchResponse response;
  response.outcome = net::FetchOutcome::kOk;
  net::HttpExchange exchange;
  exchange.status = status;
  if (!content_type.empty()) exchange.response_headers.emplace_back("Content-Type", content_type);
  for (auto& header : extra) exchange.response_headers.push_back(std::move(header));
  exchange.body = embarc::ToBytes(body);
  response.hops.push_back(std::move(exchange));
  return response;
}

net::FetchResponse Failed(net::FetchOutcome outcome) {
  net::FetchResponse response;
  response.outcome = outcome;
  response.error = "simulated";
  return response;
}

// The "response" member of a recorded answer in corpus/api, as a 200 JSON answer.
net::FetchResponse Recorded(const std::string& file) {
  const auto recorded =
      nlohmann::json::parse(embarc::testing::ReadFileText(embarc::testing::CorpusDir() / "api" / file));
  return Answer(recorded.at("_provenance").value("http_status", 200), recorded.at("response").dump());
}

const embarc::platform::Adapter& Adapter() { return twitter::TwitterAdapter(); }

Observation Interpret(const PostRef& post, net::FetchResponse syndication, net::FetchResponse oembed) {
  const std::vector<net::FetchResponse> answers = {std::move(syndication), std::move(oembed)};
  return Adapter().Interpret(post, answers);
}

PostRef Tweet(const std::string& id, const std::string& handle = "someone") {
  return twitter::MakeTweetRef(id, handle);
}

std::string Gzip(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

TEST_CASE("twitter: syndication token matches node's output for the reference ids", "[twitter]") {
  struct Vector {
    const char* id;
    const char* radix36;
    const char* token;
  };
  for (const Vector& v : {Vector{"1684218600456876032", "42z.4mwgp9h8", "42z4mwgp9h8"},
                          Vector{"1311697819384844290", "36g.tj0snjgl", "36gtjsnjgl"},
                          Vector{"1349129669258448897", "39q.eyy97t9x", "39qeyy97t9x"},
                          Vector{"436461658601713664", "123.6nf8no4li", "1236nf8no4li"},
                          Vector{"1703436713362870723", "44n.i5iyte19", "44ni5iyte19"},
                          Vector{"20", "0.000000006dq1a2xwd93", "6dq1a2xwd93"}}) {
    INFO(v.id);
    const double x = (std::strtod(v.id, nullptr) / 1e15) * 3.141592653589793;
    CHECK(twitter::DoubleToRadixString(x, 36) == v.radix36);
    CHECK(twitter::SyndicationToken(v.id) == v.token);
  }
}

TEST_CASE("twitter: DoubleToRadixString behaves like Number.prototype.toString", "[twitter]") {
  CHECK(twitter::DoubleToRadixString(0, 36) == "0");
  CHECK(twitter::DoubleToRadixString(255, 16) == "ff");
  CHECK(twitter::DoubleToRadixString(-255.5, 16) == "-ff.8");
  CHECK(twitter::DoubleToRadixString(0.5, 2) == "0.1");
  CHECK(twitter::DoubleToRadixString(0.1, 2) == "0.0001100110011001100110011001100110011001100110011001101");
  CHECK(twitter::DoubleToRadixString(35, 36) == "z");
  CHECK(twitter::DoubleToRadixString(36, 36) == "10");
  CHECK(twitter::DoubleToRadixString(1e21, 10) == "1000000000000000000000");
  CHECK(twitter::DoubleToRadixString(2.0e20, 36) == "165k1e5ryxbk0");  // above 2^53: trailing zero digits
}

TEST_CASE("twitter: capture plan is syndication then oEmbed", "[twitter]") {
  const auto plan = Adapter().CapturePlan(Tweet("1684218600456876032", "Rainmaker1973"));
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].url == "https://cdn.syndication.twimg.com/tweet-result?id=1684218600456876032&lang=en&token=42z4mwgp9h8");
  CHECK(plan[1].url ==
        "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2FRainmaker1973%2Fstatus%2F1684218600456876032"
        "&omit_script=1&dnt=true");
  const auto no_handle = Adapter().CapturePlan(twitter::MakeTweetRef("20", std::nullopt));
  CHECK(no_handle[1].url ==
        "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2Fi%2Fstatus%2F20&omit_script=1&dnt=true");
  CHECK(Adapter().name() == "twitter");
  CHECK(embarc::platform::FindAdapter("twitter") == &Adapter());
}

TEST_CASE("twitter: the recorded syndication answer reads as available with full content", "[twitter]") {
  const Observation o = Interpret(Tweet("1684218600456876032", "Rainmaker1973"),
                                  Recorded("twitter__syndication_tweet-result_1684218600456876032.json"),
                                  Failed(net::FetchOutcome::kTimeout));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.author == "Rainmaker1973");
  CHECK(o.content.author_name == "Massimo");
  CHECK(o.content.created_at == "2023-07-26T15:06:20.000Z");
  CHECK(o.content.lang == "en");
  CHECK(o.content.text.rfind("For the first time in the world, researchers succeeded", 0) == 0);
  CHECK(o.content.text.find("https://t.co/1N4ogvaMPA") != std::string::npos);
  REQUIRE(o.content.media.size() == 2);
  CHECK(o.content.media[0].kind == "poster");
  CHECK(o.content.media[0].url ==
        "https://pbs.twimg.com/amplify_video_thumb/1684020091854225408/img/xtWb477NwDzZ1VvG.jpg");
  CHECK(o.content.media[1].kind == "video");
  CHECK(o.content.media[1].url ==
        "https://video.twimg.com/amplify_video/1684020091854225408/vid/886x546/_Mb5SBNFpaVehGMW.mp4?tag=14");
  CHECK(o.content.media[1].sha256.empty());
  CHECK(o.content.edit_ids == std::vector<std::string>{"1684218600456876032"});
  CHECK(o.reason.find("syndication: Tweet") != std::string::npos);
}

TEST_CASE("twitter: the recorded oEmbed answers read as available when syndication failed", "[twitter]") {
  for (const char* file : {"oembed__publish.twitter.com__74c74dd2.json", "oembed__publish.x.com__c2316e80.json"}) {
    INFO(file);
    const Observation o =
        Interpret(Tweet("436461658601713664", "pepephone"), Failed(net::FetchOutcome::kReset), Recorded(file));
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "pepephone");
    CHECK(o.content.author_name == "Pepephone");
    CHECK(o.content.text == "RT @PabloHerreros Pepephone rompe la baraja - http://t.co/mFn7mcB1vy");
    CHECK(o.content.lang == "es");
    CHECK(o.content.created_at == "February 20, 2014");
  }
}

TEST_CASE("twitter: positive deletion signals", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  SECTION("syndication 404 and oEmbed 404") {
    const Observation o = Interpret(post, Answer(404, ""), Answer(404, "", "text/html"));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("404") != std::string::npos);
  }
  SECTION("syndication {} and oEmbed unreachable") {
    const Observation o = Interpret(post, Answer(200, "{}"), Failed(net::FetchOutcome::kTimeout));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("{}") != std::string::npos);
  }
  SECTION("tombstone that says deleted") {
    const Observation o = Interpret(
        post,
        Answer(200, R"({"__typename":"TweetTombstone","tombstone":{"text":{"text":"This Post was deleted by the Post author. Learn more","entities":[]}}})"),
        Answer(404, ""));
    CHECK(o.state == PostState::kDeleted);
    CHECK(o.reason.find("This Post was deleted") != std::string::npos);
  }
}

TEST_CASE("twitter: restrictions are withheld, not deleted", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  SECTION("unavailable tombstone") {
    const Observation o = Interpret(
        post, Answer(200, R"({"__typename":"TweetTombstone","tombstone":{"text":{"text":"This Post is unavailable."}}})"),
        Answer(404, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("empty tombstone (restricted but live)") {
    const Observation o =
        Interpret(post, Answer(200, R"({"__typename":"TweetTombstone","tombstone":{}})"), Answer(404, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("oEmbed 403 contradicts a syndication 404") {
    const Observation o = Interpret(post, Answer(404, ""), Answer(403, ""));
    CHECK(o.state == PostState::kWithheld);
  }
  SECTION("oEmbed 403 alone") {
    const Observation o = Interpret(post, Failed(net::FetchOutcome::kTimeout), Answer(403, ""));
    CHECK(o.state == PostState::kWithheld);
  }
}

TEST_CASE("twitter: either source showing the post makes it available", "[twitter]") {
  const PostRef post = Tweet("436461658601713664", "pepephone");
  const Observation o =
      Interpret(post, Answer(404, ""), Recorded("oembed__publish.twitter.com__74c74dd2.json"));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.author == "pepephone");
}

TEST_CASE("twitter: network failures, 5xx and 429 are never deletions", "[twitter]") {
  const PostRef post = Tweet("1234567890123456789");
  CHECK(Interpret(post, Answer(503, "busy", "text/html"), Answer(503, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, ""), Answer(200, "{}")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout), Answer(429, "")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout), Failed(net::FetchOutcome::kTimeout)).state ==
        PostState::kUnreachable);
  // oEmbed alone saying 404 is not enough: syndication did not answer.
  CHECK(Interpret(post, Failed(net::FetchOutcome::kReset), Answer(404, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, ""), Answer(404, "")).state == PostState::kRateLimited);
  // A 200 that is not JSON (a login wall, a block page) is not trusted.
  CHECK(Interpret(post, Answer(200, "Forbidden", "text/html"), Answer(200, "<html>", "text/html")).state ==
        PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "{not json", ""), Answer(200, "nope", "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]"),
                  Answer(500, ""))
            .state == PostState::kUnreachable);
  // Missing answers.
  CHECK(Adapter().Interpret(post, {}).state == PostState::kUnreachable);

  const std::vector<net::FetchOutcome> failures = {
      net::FetchOutcome::kTimeout,  net::FetchOutcome::kConnectionFailed, net::FetchOutcome::kReset,
      net::FetchOutcome::kTls,      net::FetchOutcome::kTooLarge,         net::FetchOutcome::kTooManyRedirects,
      net::FetchOutcome::kBlockedAddress, net::FetchOutcome::kInvalidUrl,  net::FetchOutcome::kOther};
  for (const auto a : failures) {
    for (const auto b : failures) {
      const Observation o = Interpret(post, Failed(a), Failed(b));
      CHECK(o.state == PostState::kUnreachable);
    }
    CHECK(Interpret(post, Failed(a), Answer(404, "")).state != PostState::kDeleted);
    CHECK(Interpret(post, Answer(502, ""), Answer(404, "")).state != PostState::kDeleted);
  }
}

TEST_CASE("twitter: gzip-encoded answers are decoded", "[twitter]") {
  const std::string body = R"({"__typename":"Tweet","id_str":"5","text":"hi","user":{"screen_name":"a","name":"A"}})";
  const Observation o = Interpret(Tweet("5", "a"), Answer(200, Gzip(body), "application/json", {{"Content-Encoding", "gzip"}}),
                                  Failed(net::FetchOutcome::kTimeout));
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.text == "hi");
  const Observation corrupt =
      Interpret(Tweet("5", "a"), Answer(200, "not gzip", "application/json", {{"Content-Encoding", "gzip"}}),
                Failed(net::FetchOutcome::kTimeout));
  CHECK(corrupt.state == PostState::kUnreachable);
}

TEST_CASE("twitter: photos, GIFs, long text and edit chains", "[twitter]") {
  const std::string body = R"({
    "__typename": "Tweet", "id_str": "300", "lang": "de", "created_at": "2024-01-01T00:00:00.000Z",
    "text": "short…", "note_tweet": {"text": "the whole long text"},
    "user": {"screen_name": "pics", "name": "Pictures"},
    "edit_control": {"initial_tweet_id": "100", "edit_control_initial": {"edit_tweet_ids": ["100", "200", "300"]}},
    "mediaDetails": [
      {"type": "photo", "media_url_https": "https://pbs.twimg.com/media/A.jpg"},
      {"type": "animated_gif", "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/G.jpg",
       "video_info": {"variants": [{"bitrate": 0, "content_type": "video/mp4", "url": "https://video.twimg.com/tweet_video/G.mp4"}]}}
    ]})";
  const Observation o = Interpret(Tweet("300", "pics"), Answer(200, body, "application/json; charset=utf-8"),
                                  Answer(200, "{}"));
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.text == "the whole long text");
  CHECK(o.content.lang == "de");
  CHECK(o.content.edit_ids == std::vector<std::string>{"100", "200", "300"});
  REQUIRE(o.content.media.size() == 3);
  CHECK(o.content.media[0].url == "https://pbs.twimg.com/media/A.jpg?name=orig");
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[1].kind == "poster");
  CHECK(o.content.media[2].url == "https://video.twimg.com/tweet_video/G.mp4");
  CHECK(o.content.media[2].kind == "video");
}

TEST_CASE("platform: state names round-trip", "[twitter]") {
  for (const PostState s : {PostState::kAvailable, PostState::kDeleted, PostState::kWithheld, PostState::kLoginRequired,
                            PostState::kRateLimited, PostState::kUnreachable}) {
    CHECK(embarc::platform::ParsePostState(embarc::platform::PostStateName(s)) == s);
  }
  CHECK(std::string(embarc::platform::PostStateName(PostState::kRateLimited)) == "rate_limited");
  CHECK_FALSE(embarc::platform::ParsePostState("gone"));
}
