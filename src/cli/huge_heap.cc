#include "huge_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace pbrc::cli {
namespace {

constexpr size_t kHugeHeap = size_t(64) << 20;
constexpr uintptr_t kHuge = uintptr_t(2) << 20;

}  // namespace

void AdviseHugeHeap() {
  if (getenv("PBRC_NO_HUGEPAGES")) return;
  // Big buffers from the heap (not from a mapping each, which would start with 4 KiB pages
  // again), freed memory kept for reuse, the heap grown by kHugeHeap at once, and one arena
  // (the thread that writes the sources allocates from the same advised heap).
  // (glibc's largest mapping threshold is 32 MiB.)
  if (!mallopt(M_MMAP_THRESHOLD, int(kHugeHeap / 2)) ||
      !mallopt(M_TRIM_THRESHOLD, int(2 * kHugeHeap)) || !mallopt(M_TOP_PAD, int(kHugeHeap)) ||
      !mallopt(M_ARENA_MAX, 1))
    return;
  void* grow = malloc(kHuge);  // more than the heap holds: it grows by kHuge + kHugeHeap
  auto* end = static_cast<char*>(sbrk(0));
  auto from = (reinterpret_cast<uintptr_t>(grow) + kHuge - 1) & ~(kHuge - 1);
  if (grow && end != reinterpret_cast<char*>(-1) && reinterpret_cast<uintptr_t>(end) > from)
    madvise(reinterpret_cast<void*>(from), reinterpret_cast<uintptr_t>(end) - from, MADV_HUGEPAGE);
  free(grow);
}

}  // namespace pbrc::cli
