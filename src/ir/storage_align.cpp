#include "ir/storage_align.h"

#include <charconv>

namespace weft::ir {

std::string storage_align_key(const std::string& buffer_name) { return kStorageAlignPrefix + buffer_name; }
std::string storage_block_key(const std::string& buffer_name) { return kStorageBlockPrefix + buffer_name; }

namespace {

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

bool parse_int(const std::string& s, int64_t* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return !s.empty() && ec == std::errc() && p == end;
}

}  // namespace

std::optional<std::vector<StorageAlign>> parse_storage_align(const std::string& value) {
  std::vector<StorageAlign> out;
  for (const std::string& entry : split_on(value, ';')) {
    std::vector<std::string> f = split_on(entry, ',');
    StorageAlign a;
    if (f.size() != 3 || !parse_int(f[0], &a.axis) || !parse_int(f[1], &a.factor) || !parse_int(f[2], &a.offset))
      return std::nullopt;
    if (a.axis < 0 || a.factor < 1 || a.offset < 0 || a.offset >= a.factor) return std::nullopt;
    if (!out.empty() && out.back().axis >= a.axis) return std::nullopt;  // increasing axes
    out.push_back(a);
  }
  return out;
}

std::string format_storage_align(const std::vector<StorageAlign>& entries) {
  std::string out;
  for (const StorageAlign& a : entries) {
    if (!out.empty()) out += ";";
    out += std::to_string(a.axis) + "," + std::to_string(a.factor) + "," + std::to_string(a.offset);
  }
  return out;
}

std::optional<StorageBlock> parse_storage_block(const std::string& value) {
  std::vector<std::string> f = split_on(value, ',');
  StorageBlock b;
  if (f.size() != 2 || !parse_int(f[0], &b.axis) || !parse_int(f[1], &b.factor)) return std::nullopt;
  if (b.axis < 0 || b.factor < 1) return std::nullopt;
  return b;
}

std::string format_storage_block(const StorageBlock& block) {
  return std::to_string(block.axis) + "," + std::to_string(block.factor);
}

}  // namespace weft::ir
