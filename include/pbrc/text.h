// Small text helpers shared by the emitters and the IR printer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace pbrc {

// "0x2"
inline std::string Hex(uint32_t v) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// "0x00000002", as nft lists marks.
inline std::string Hex8(uint32_t v) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// A name for a message: at most 64 bytes, so a megabyte-long identifier stays readable.
inline std::string Shorten(const std::string& s) {
  return s.size() <= 64 ? s : s.substr(0, 61) + "...";
}

// FNV-1a, 64 bits: stable across runs and platforms (std::hash is neither).
inline uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace pbrc
