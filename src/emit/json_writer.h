// Streams JSON text straight into a string, laid out like nlohmann's dump(1, '\t') (one tab
// per level, every member on its own line, `"key": value`, empty containers as {} and []),
// so the nft JSON artifact is built without a document tree: memory O(output), not a node
// per value. Every string (keys too) goes through AppendJsonString.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pbrc::emit {

// The one place a string becomes a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

// Invariant: calls nest like the document (Key only directly inside an Object, each Key
// followed by exactly one value); End closes the innermost open container.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& Object();
  JsonWriter& Array();
  JsonWriter& End();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t n);
  JsonWriter& Null();

 private:
  struct Level {
    bool object;
    bool any = false;  // a member was written: the next one needs a comma
  };
  void BeforeValue();
  void NextMember();
  void Open(char c);

  std::string& out_;
  std::vector<Level> stack_;
};

}  // namespace pbrc::emit
