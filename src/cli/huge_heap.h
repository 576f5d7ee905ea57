// Transparent huge pages for the heap of a command that handles megabytes of intervals.
#pragma once

namespace pbrc::cli {

// Grows the heap by kHugeHeap and advises that room (from the first 2 MiB boundary past the
// heap's top at the call to its new end) for transparent huge pages, with big buffers taken
// from the heap instead of their own mappings, one arena and freed memory kept: an apply of
// a big set touches tens of megabytes once, and a first touch costs a page fault per 4 KiB
// page (about 20 us each on the virtual machines measured, docs/testing.md) or one per
// 2 MiB page. Where the kernel has no THP or refuses the advice only the malloc settings
// apply. Nothing at all with PBRC_NO_HUGEPAGES set (where THP defrag may stall, pbrc(1)).
void AdviseHugeHeap();

}  // namespace pbrc::cli
