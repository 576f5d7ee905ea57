// The cell walk's memo (cell_walk.cc): which rule sets it has walked at one level.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace pbrc::analysis {

// The memo of rule sets already walked at one level: every key in one arena and a flat
// open-addressing table of (hash, offset), so a key costs no allocation of its own (the
// walk meets hundreds of thousands of them, most of them once).
class SeenSets {
 public:
  // Whether `here` with the two extra words was not seen before (and now is).
  bool Insert(const std::vector<uint32_t>& here, uint32_t x, uint32_t y) {
    uint64_t h = Hash(here, x, y);
    if (2 * (used_ + 1) > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t k = size_t(h) & mask;; k = (k + 1) & mask) {
      Slot& s = slots_[k];
      if (!s.key) {
        uint32_t* key = Allocate(here.size() + 3);
        key[0] = uint32_t(here.size());
        std::copy(here.begin(), here.end(), key + 1);
        key[here.size() + 1] = x;
        key[here.size() + 2] = y;
        s = {h, key};
        ++used_;
        return true;
      }
      if (s.hash == h && Equal(s.key, here, x, y)) return false;
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    const uint32_t* key = nullptr;  // its length, then its words (in a block)
  };

  // Blocks, never moved: a growing vector would copy every key at each doubling.
  uint32_t* Allocate(size_t words) {
    constexpr size_t kBlock = size_t(1) << 18;
    if (left_ < words) {
      blocks_.push_back(std::make_unique<uint32_t[]>(std::max(words, kBlock)));
      next_ = blocks_.back().get();
      left_ = std::max(words, kBlock);
    }
    uint32_t* out = next_;
    next_ += words;
    left_ -= words;
    return out;
  }

  static uint64_t Hash(const std::vector<uint32_t>& v, uint32_t x, uint32_t y) {
    uint64_t h = v.size();
    for (uint32_t e : v) h = (h + e) * 0x9e3779b97f4a7c15ull;
    h = (h + x) * 0x9e3779b97f4a7c15ull;
    h = (h + y) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 31;  // the low bits pick the slot: mix the high ones in
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 29);
  }

  static bool Equal(const uint32_t* k, const std::vector<uint32_t>& v, uint32_t x, uint32_t y) {
    if (*k++ != v.size()) return false;
    return std::equal(v.begin(), v.end(), k) && k[v.size()] == x && k[v.size() + 1] == y;
  }

  void Grow() {
    std::vector<Slot> old(std::max<size_t>(64, 2 * slots_.size()));
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.key) continue;
      size_t k = size_t(s.hash) & mask;
      while (slots_[k].key) k = (k + 1) & mask;
      slots_[k] = s;
    }
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  size_t used_ = 0;
  std::vector<std::unique_ptr<uint32_t[]>> blocks_;
  uint32_t* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace pbrc::analysis
