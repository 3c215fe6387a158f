#pragma once
// Access to the project lead's corpora in ../shared/corpus. Tests that need them call
// corpus_dir(); when it is absent they skip *loudly* (a WARN in the Catch2 output and a line
// on stderr), never silently pass.

#include <filesystem>
#include <optional>
#include <string>

namespace maildiag::test {

/// ../shared/corpus/<name>, or nullopt (with a loud skip message) when absent.
std::optional<std::filesystem::path> corpus_dir(const std::string& name);
std::string read_file(const std::filesystem::path& p);

}  // namespace maildiag::test
