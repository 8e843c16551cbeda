#include "cli/history.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "embarc/core/json.h"

namespace embarc::cli {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

struct SnapshotView {
  const store::SnapshotRow* row = nullptr;
  nlohmann::json record;
  std::string text;
  std::vector<std::string> media;  // "url sha256"
};

}  // namespace

std::string WordDiff(const std::string& before, const std::string& after) {
  const std::vector<std::string> a = Words(before);
  const std::vector<std::string> b = Words(after);
  std::string out;
  auto add = [&](const std::string& piece) {
    if (!out.empty()) out += ' ';
    out += piece;
  };
  if (a.size() > kMaxDiffWords || b.size() > kMaxDiffWords) {
    add("[-" + before + "-]");
    add("{+" + after + "+}");
    return out;
  }
  // Longest common subsequence over words (O(n*m), bounded by kMaxDiffWords).
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint16_t>> lcs(n + 1, std::vector<std::uint16_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? static_cast<std::uint16_t>(lcs[i + 1][j + 1] + 1) : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      add(a[i]);
      ++i;
      ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      add("{+" + b[j++] + "+}");
    } else {
      add("[-" + a[i++] + "-]");
    }
  }
  return out;
}

Result<std::string> RenderHistory(store::Index& index, const std::vector<platform::PostRef>& wanted, bool json) {
  std::vector<store::PostRow> posts;
  if (wanted.empty()) {
    EMBARC_ASSIGN_OR_RETURN(posts, index.AllPosts());
  } else {
    for (const platform::PostRef& w : wanted) {
      EMBARC_ASSIGN_OR_RETURN(auto found, index.FindPost(w.platform, w.post_id));
      if (!found) return Fail(ErrorCode::kNotFound, "post not in the archive: " + w.url);
      posts.push_back(*found);
    }
  }
  std::string out;
  for (const store::PostRow& post : posts) {
    EMBARC_ASSIGN_OR_RETURN(auto rows, index.SnapshotsOfPost(post.id));
    std::vector<SnapshotView> views;
    for (const auto& r : rows) {
      SnapshotView v;
      v.row = &r;
      auto parsed = ParseJson(r.record);
      if (parsed) v.record = std::move(*parsed);
      if (v.record.contains("content") && v.record["content"].is_object()) {
        const auto& c = v.record["content"];
        v.text = c.value("text", "");
        if (c.contains("media") && c["media"].is_array()) {
          for (const auto& m : c["media"]) {
            v.media.push_back(m.value("url", "") + " " + (m.contains("sha256") && m["sha256"].is_string() ? m["sha256"].get<std::string>() : "not fetched"));
          }
        }
      }
      views.push_back(std::move(v));
    }
    if (json) {
      nlohmann::json snaps = nlohmann::json::array();
      const SnapshotView* last_available = nullptr;
      for (const SnapshotView& v : views) {
        nlohmann::json s = {{"leaf_index", v.row->leaf_index},
                            {"observed_at", v.row->observed_at},
                            {"state", v.row->state},
                            {"change", v.row->change},
                            {"reason", v.record.value("reason", "")},
                            {"record_hash", v.row->record_hash},
                            {"content_sha256", v.row->content_sha256 ? nlohmann::json(*v.row->content_sha256) : nlohmann::json()},
                            {"text", v.row->state == "available" ? nlohmann::json(v.text) : nlohmann::json()},
                            {"media", v.media}};
        if (v.row->state == "available") {
          if (last_available != nullptr && last_available->text != v.text) s["diff"] = WordDiff(last_available->text, v.text);
          last_available = &v;
        }
        snaps.push_back(std::move(s));
      }
      nlohmann::json line = {{"platform", post.platform}, {"post_id", post.post_id}, {"url", post.url},
                             {"author", post.author ? nlohmann::json(*post.author) : nlohmann::json()},
                             {"snapshots", snaps}};
      out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      continue;
    }
    out += post.platform + " " + post.post_id + "  " + post.url + "\n";
    const SnapshotView* last_available = nullptr;
    for (const SnapshotView& v : views) {
      out += "  " + v.row->observed_at + "  " + v.row->state + "  (" + v.row->change + ")  leaf " +
             std::to_string(v.row->leaf_index) + "  record " + v.row->record_hash.substr(0, 16) + "…\n";
      const std::string reason = v.record.value("reason", "");
      if (!reason.empty()) out += "      " + reason + "\n";
      if (v.row->state == "available") {
        if (last_available == nullptr) {
          out += "      text: " + v.text + "\n";
        } else if (last_available->text != v.text) {
          out += "      text changed: " + WordDiff(last_available->text, v.text) + "\n";
        }
        if (last_available != nullptr && last_available->media != v.media) out += "      media changed\n";
        for (const auto& m : v.media) {
          if (last_available == nullptr) out += "      media: " + m + "\n";
        }
        last_available = &v;
      }
    }
  }
  if (!json && posts.empty()) out = "no posts in the archive\n";
  return out;
}

Result<std::string> RenderChanges(store::Index& index, const std::string& since, bool json) {
  EMBARC_ASSIGN_OR_RETURN(auto snapshots, index.AllSnapshots());
  std::string out;
  std::size_t shown = 0;
  for (const auto& s : snapshots) {
    if (s.observed_at < since) continue;
    auto rec = ParseJson(s.record);
    bool quote_mismatch = false;
    bool version_mismatch = false;
    if (rec && rec->contains("cited_in") && (*rec)["cited_in"].is_array()) {
      for (const auto& c : (*rec)["cited_in"]) {
        if (!c.is_object()) continue;
        quote_mismatch = quote_mismatch || (c.contains("quote_matches") && c["quote_matches"] == false);
        version_mismatch = version_mismatch || (c.contains("version_matches") && c["version_matches"] == false);
      }
    }
    const bool changed = s.change == "edited" || s.change == "deleted" || s.change == "withheld" || s.change == "restored";
    if (!changed && !quote_mismatch && !version_mismatch) continue;
    std::vector<std::string> articles;
    EMBARC_ASSIGN_OR_RETURN(auto embeds, index.EmbedsOfPost(s.post_ref));
    for (const auto& e : embeds) {
      EMBARC_ASSIGN_OR_RETURN(auto a, index.ArticleById(e.article_id));
      if (a) articles.push_back(a->url);
    }
    const std::string url = rec ? rec->value("url", "") : "";
    ++shown;
    if (json) {
      const nlohmann::json line = {{"url", url},
                                   {"platform", rec ? rec->value("platform", "") : ""},
                                   {"post_id", rec ? rec->value("post_id", "") : ""},
                                   {"observed_at", s.observed_at},
                                   {"state", s.state},
                                   {"change", s.change},
                                   {"quote_mismatch", quote_mismatch},
                                   {"version_mismatch", version_mismatch},
                                   {"record_hash", s.record_hash},
                                   {"cited_in", articles}};
      out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
      out += s.observed_at + "  " + s.change + (quote_mismatch ? " (quote no longer matches)" : "") +
             (version_mismatch ? " (not the version the article embedded)" : "") + "  " + url + "\n";
      for (const auto& a : articles) out += "    cited in " + a + "\n";
    }
  }
  if (!json && shown == 0) out = "no post changed since " + since + "\n";
  return out;
}

}  // namespace embarc::cli
