// JSON text without a tree. AppendJsonString must produce exactly what nlohmann's serializer
// wrote before (the goldens pin the bytes): plain printable ASCII is copied, anything else
// takes nlohmann's escaping so the two can never disagree. Every string of the JSON artifact
// passes here, so this is also where pbrc/syntax.h's JSON rule applies: valid UTF-8 and no
// control byte (the library throws on the first, nft rejects \u0000).
#include "json_writer.h"

#include <nlohmann/json.hpp>

#include "pbrc/syntax.h"

namespace pbrc::emit {

void AppendJsonString(std::string& out, std::string_view s) {
  bool plain = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (!plain) {
    out += nlohmann::json(syntax::JsonText(s)).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void JsonWriter::NextMember() {
  Level& l = stack_.back();
  out_ += l.any ? ",\n" : "\n";
  l.any = true;
  out_.append(stack_.size(), '\t');
}

// Inside an array each value is a member; inside an object Key already started it.
void JsonWriter::BeforeValue() {
  if (!stack_.empty() && !stack_.back().object) NextMember();
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_ += c;
  stack_.push_back(Level{c == '{'});
}

JsonWriter& JsonWriter::Object() {
  Open('{');
  return *this;
}

JsonWriter& JsonWriter::Array() {
  Open('[');
  return *this;
}

JsonWriter& JsonWriter::End() {
  Level l = stack_.back();
  stack_.pop_back();
  if (l.any) {
    out_ += '\n';
    out_.append(stack_.size(), '\t');
  }
  out_ += l.object ? '}' : ']';
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  NextMember();
  AppendJsonString(out_, key);
  out_ += ": ";
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t n) {
  BeforeValue();
  out_ += std::to_string(n);
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

}  // namespace pbrc::emit
