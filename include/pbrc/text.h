// Small text helpers shared by the emitters and the IR printer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

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

}  // namespace pbrc
