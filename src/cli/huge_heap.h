// Transparent huge pages for the heap of a command that handles megabytes of intervals.
#pragma once

namespace pbrc::cli {

// Reserves the first kHugeHeap bytes of the heap and advises them for transparent huge
// pages, with big buffers taken from the heap instead of their own mappings: an apply of a
// big set touches tens of megabytes once, and a first touch costs a page fault per 4 KiB page
// (about 20 us each on the virtual machines measured, docs/testing.md) or one per 2 MiB page.
// Does nothing where the kernel has no transparent huge pages or refuses the advice.
void AdviseHugeHeap();

}  // namespace pbrc::cli
