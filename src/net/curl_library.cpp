// libcurl, loaded when first used rather than at process start.
//
// Linking libcurl makes the dynamic loader map and relocate it and the ~30 libraries it needs
// (GnuTLS, Kerberos, LDAP, ...) before main(): 10 ms of every command's start on the benchmark
// machine, five times what `embarc proof` itself takes (bench/ANALYSIS.md). So embarc does not
// link libcurl. This file defines the libcurl functions embarc calls, with libcurl's own
// names and signatures from <curl/curl.h>; each forwards to the real function, found with
// dlopen/dlsym on the first call. Commands that fetch or parse a URL load libcurl then (and
// call curl_global_init once, before any other libcurl function); proof, verify and the
// other commands that do neither never load it.
//
// A libcurl function embarc starts to use must be added here: until it is, the link fails
// with an undefined reference, never a silent fallback.

// The typecheck macros would turn the definitions below into macro calls.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace {

// The shared object's name: the SONAME Debian's libcurl4 (and every libcurl 7.x/8.x) has.
constexpr const char* kLibcurlName = "libcurl.so.4";

// Each libcurl function embarc uses, as found in the loaded library.
struct CurlFunctions {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, struct curl_waitfd[], unsigned int, int, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...);
  const char* (*multi_strerror)(CURLMcode);
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_get)(CURLU*, CURLUPart, char**, unsigned int);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  const char* (*url_strerror)(CURLUcode);
  struct curl_slist* (*slist_append)(struct curl_slist*, const char*);
  void (*slist_free_all)(struct curl_slist*);
  void (*free)(void*);
};

// A missing library or function is a broken installation: one line, exit code 5 (internal
// error), as every failure of embarc's own prerequisites.
[[noreturn]] void Unavailable(const char* what) {
  const char* why = dlerror();
  std::fprintf(stderr, "embarc: cannot load libcurl (%s): %s: %s\n", kLibcurlName, what, why != nullptr ? why : "unknown error");
  std::_Exit(5);
}

template <typename Fn>
void Find(void* library, const char* name, Fn& out) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) Unavailable(name);
  out = reinterpret_cast<Fn>(symbol);
}

CurlFunctions Load() {
  // RTLD_LOCAL: libcurl's libraries (its own OpenSSL among them) stay out of the global scope.
  void* lib = dlopen(kLibcurlName, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) Unavailable("dlopen");
  CurlFunctions f{};
  Find(lib, "curl_global_init", f.global_init);
  Find(lib, "curl_easy_init", f.easy_init);
  Find(lib, "curl_easy_cleanup", f.easy_cleanup);
  Find(lib, "curl_easy_perform", f.easy_perform);
  Find(lib, "curl_easy_setopt", f.easy_setopt);
  Find(lib, "curl_easy_getinfo", f.easy_getinfo);
  Find(lib, "curl_easy_strerror", f.easy_strerror);
  Find(lib, "curl_multi_init", f.multi_init);
  Find(lib, "curl_multi_cleanup", f.multi_cleanup);
  Find(lib, "curl_multi_add_handle", f.multi_add_handle);
  Find(lib, "curl_multi_remove_handle", f.multi_remove_handle);
  Find(lib, "curl_multi_perform", f.multi_perform);
  Find(lib, "curl_multi_poll", f.multi_poll);
  Find(lib, "curl_multi_info_read", f.multi_info_read);
  Find(lib, "curl_multi_setopt", f.multi_setopt);
  Find(lib, "curl_multi_strerror", f.multi_strerror);
  Find(lib, "curl_url", f.url);
  Find(lib, "curl_url_cleanup", f.url_cleanup);
  Find(lib, "curl_url_get", f.url_get);
  Find(lib, "curl_url_set", f.url_set);
  Find(lib, "curl_url_strerror", f.url_strerror);
  Find(lib, "curl_slist_append", f.slist_append);
  Find(lib, "curl_slist_free_all", f.slist_free_all);
  Find(lib, "curl_free", f.free);
  // Once, before any other call and before a second thread can make one (libcurl's rule).
  if (const CURLcode rc = f.global_init(CURL_GLOBAL_ALL); rc != CURLE_OK) {
    std::fprintf(stderr, "embarc: curl_global_init failed: %s\n", f.easy_strerror(rc));
    std::_Exit(5);
  }
  // The library stays loaded until the process ends (libcurl's global state lives in it).
  return f;
}

const CurlFunctions& Curl() {
  static const CurlFunctions functions = Load();  // thread-safe initialisation: loaded once
  return functions;
}

// The variadic setters take one argument, whose type follows from the option's number (the
// CURLOPTTYPE_ ranges, which CURLMOPT_ options share, as libcurl itself reads it).
template <typename Code, typename Handle, typename Option>
Code ForwardOption(Code (*setopt)(Handle*, Option, ...), Handle* handle, Option option, va_list args) {
  const int o = static_cast<int>(option);
  if (o < CURLOPTTYPE_OBJECTPOINT) return setopt(handle, option, va_arg(args, long));
  if (o >= CURLOPTTYPE_FUNCTIONPOINT && o < CURLOPTTYPE_OFF_T) return setopt(handle, option, va_arg(args, void (*)()));
  if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB) return setopt(handle, option, va_arg(args, curl_off_t));
  return setopt(handle, option, va_arg(args, void*));  // object pointers, strings, lists and blobs
}

}  // namespace

extern "C" {

CURL* curl_easy_init() { return Curl().easy_init(); }
void curl_easy_cleanup(CURL* h) { Curl().easy_cleanup(h); }
CURLcode curl_easy_perform(CURL* h) { return Curl().easy_perform(h); }
const char* curl_easy_strerror(CURLcode c) { return Curl().easy_strerror(c); }

CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLcode rc = ForwardOption(Curl().easy_setopt, h, option, args);
  va_end(args);
  return rc;
}

CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);  // every CURLINFO answers through a pointer
  va_end(args);
  return Curl().easy_getinfo(h, info, out);
}

CURLM* curl_multi_init() { return Curl().multi_init(); }
CURLMcode curl_multi_cleanup(CURLM* m) { return Curl().multi_cleanup(m); }
CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) { return Curl().multi_add_handle(m, h); }
CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) { return Curl().multi_remove_handle(m, h); }
CURLMcode curl_multi_perform(CURLM* m, int* running) { return Curl().multi_perform(m, running); }
CURLMcode curl_multi_poll(CURLM* m, struct curl_waitfd extra[], unsigned int extra_count, int timeout_ms, int* ready) {
  return Curl().multi_poll(m, extra, extra_count, timeout_ms, ready);
}
CURLMsg* curl_multi_info_read(CURLM* m, int* queued) { return Curl().multi_info_read(m, queued); }
const char* curl_multi_strerror(CURLMcode c) { return Curl().multi_strerror(c); }

CURLMcode curl_multi_setopt(CURLM* m, CURLMoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLMcode rc = ForwardOption(Curl().multi_setopt, m, option, args);
  va_end(args);
  return rc;
}

CURLU* curl_url() { return Curl().url(); }
void curl_url_cleanup(CURLU* u) { Curl().url_cleanup(u); }
CURLUcode curl_url_get(CURLU* u, CURLUPart part, char** out, unsigned int flags) {
  return Curl().url_get(u, part, out, flags);
}
CURLUcode curl_url_set(CURLU* u, CURLUPart part, const char* text, unsigned int flags) {
  return Curl().url_set(u, part, text, flags);
}
const char* curl_url_strerror(CURLUcode c) { return Curl().url_strerror(c); }

struct curl_slist* curl_slist_append(struct curl_slist* list, const char* text) { return Curl().slist_append(list, text); }
void curl_slist_free_all(struct curl_slist* list) { Curl().slist_free_all(list); }
void curl_free(void* p) { Curl().free(p); }

}  // extern "C"
