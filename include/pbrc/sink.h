// Where generated text goes, piece by piece: an artifact of a million rules (hundreds of MB)
// is written as it is rendered, never held whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pbrc {

// Invariant: Write never throws for I/O; a sink that cannot write keeps its own error.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(std::string_view text) = 0;
};

// Collects the whole text (tests, small artifacts, diff's canonical listing).
class StringSink final : public Sink {
 public:
  void Write(std::string_view t) override { text.append(t); }
  std::string text;
};

// Emitters append to buf() and call Step() where a piece may end (after a rule, a set
// element); the buffer goes to the sink once it holds kChunk bytes. Finish() sends the rest.
class ChunkedWriter {
 public:
  static constexpr size_t kChunk = 64 * 1024;
  explicit ChunkedWriter(Sink& sink) : sink_(sink) { buf_.reserve(kChunk * 2); }
  std::string& buf() { return buf_; }
  void Step() {
    if (buf_.size() >= kChunk) Finish();
  }
  void Finish() {
    if (!buf_.empty()) sink_.Write(buf_);
    buf_.clear();
  }

 private:
  Sink& sink_;
  std::string buf_;
};

}  // namespace pbrc
