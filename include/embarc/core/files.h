// Small whole-file helpers with the project's error conventions.
#ifndef EMBARC_CORE_FILES_H_
#define EMBARC_CORE_FILES_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "embarc/core/result.h"

namespace embarc {

// Replaces `path` atomically with `bytes`: written to "<path>.tmp" with `mode`, fsynced,
// renamed over `path`. Errors: kIo naming the file and the system's reason.
[[nodiscard]] Result<void> ReplaceFile(const std::filesystem::path& path, std::string_view bytes, unsigned mode = 0644);

// The whole file. Errors: kNotFound if it does not exist; kLimitExceeded when it is larger
// than `max_bytes`; kIo otherwise.
[[nodiscard]] Result<std::string> ReadFileLimited(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace embarc

#endif  // EMBARC_CORE_FILES_H_
