// Owning wrappers for libcurl handles (private to net/). Each handle becomes one of
// these on the line it is created (CONVENTIONS C3).
#ifndef EMBARC_NET_CURL_HANDLES_H_
#define EMBARC_NET_CURL_HANDLES_H_

#include <memory>

#include <curl/curl.h>

namespace embarc::net {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// Appends to an owned list; returns false (list unchanged) when curl is out of memory.
inline bool SlistAppend(CurlSlist& list, const char* item) {
  curl_slist* grown = curl_slist_append(list.get(), item);
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` is the same list, extended (or a new head if it was empty)
  list.reset(grown);
  return true;
}

}  // namespace embarc::net

#endif  // EMBARC_NET_CURL_HANDLES_H_
