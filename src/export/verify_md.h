// Private to src/export: the package's embarc/VERIFY.md, with the exact commands for it.
#ifndef EMBARC_SRC_EXPORT_VERIFY_MD_H_
#define EMBARC_SRC_EXPORT_VERIFY_MD_H_

#include <cstdint>
#include <string>
#include <vector>

namespace embarc::bundle {

struct VerifyMdInput {
  struct Record {
    std::string record_hash;
    std::string key_id;   // of the first signature
  };
  struct Token {
    std::string tsr, tsq, note;
    std::string gen_time;
    std::int64_t gen_time_unix = 0;
    std::string tsa_url;
  };
  std::vector<Record> records;
  std::vector<Token> timestamps;
  bool anchors = false;
  std::string origin;
  std::uint64_t tree_size = 0;
  std::string root_hash;
  std::string checkpoint_key_id;
  std::uint64_t warc_records = 0;
};

// Records listed one by one in VERIFY.md; the rest are covered by loops over the folder.
inline constexpr std::size_t kMaxVerifyMdRecords = 50;

std::string RenderVerifyMd(const VerifyMdInput& in);

}  // namespace embarc::bundle

#endif  // EMBARC_SRC_EXPORT_VERIFY_MD_H_
