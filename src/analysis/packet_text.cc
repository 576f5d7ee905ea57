// The packet syntax of `pbrc explain`: words in any order,
//   from ADDR to ADDR [proto P] [sport N] [dport N] (iif DEV | from-router [oif DEV])
//   [state new|established|invalid|untracked]
// Every error names the byte column of the word it is about.
#include <charconv>

#include "pbrc/analysis.h"
#include "pbrc/protocols.h"
#include "pbrc/syntax.h"

namespace pbrc::analysis {
namespace {

struct Word {
  std::string_view text;
  uint32_t col = 1;
};

std::vector<Word> Split(std::string_view s) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out.push_back({s.substr(b, i - b), uint32_t(b + 1)});
  }
  return out;
}

std::optional<uint64_t> Number(std::string_view t, uint64_t max) {
  uint64_t v = 0;
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    base = 16;
  }
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  if (ec != std::errc() || p != t.data() + t.size() || v > max) return std::nullopt;
  return v;
}

class Parser {
 public:
  Parser(std::string_view text, std::string& error, uint32_t& col)
      : words_(Split(text)), error_(error), col_(col), end_col_(uint32_t(text.size() + 1)) {}

  std::optional<Packet> Run() {
    for (i_ = 0; i_ < words_.size(); ++i_) {
      if (!One()) return std::nullopt;
    }
    return Finish();
  }

 private:
  bool Fail(uint32_t col, std::string msg) {
    col_ = col;
    error_ = std::move(msg);
    return false;
  }

  // The value after keyword words_[i_].
  const Word* Value() {
    if (i_ + 1 >= words_.size()) {
      Fail(end_col_, "'" + std::string(words_[i_].text) + "' needs a value");
      return nullptr;
    }
    return &words_[++i_];
  }

  bool Once(std::string_view kw) {
    if (seen_.find("|" + std::string(kw) + "|") == std::string::npos) {
      seen_ += "|" + std::string(kw) + "|";
      return true;
    }
    return Fail(words_[i_].col, "'" + std::string(kw) + "' given twice");
  }

  bool Address(std::optional<Addr>& out) {
    const Word* w = Value();
    if (!w) return false;
    out = ParseAddr(w->text);
    if (!out) return Fail(w->col, "'" + Shown(w->text) + "' is not an IPv4 or IPv6 address");
    return true;
  }

  bool Port(std::optional<uint16_t>& out) {
    const Word* w = Value();
    if (!w) return false;
    auto v = Number(w->text, 65535);
    if (!v) return Fail(w->col, "'" + Shown(w->text) + "' is not a port (0-65535)");
    out = uint16_t(*v);
    return true;
  }

  bool Device(std::string& out) {
    const Word* w = Value();
    if (!w) return false;
    if (auto why = syntax::IfnameProblem(w->text)) {
      return Fail(w->col, "'" + Shown(w->text) + "' is not a device name: " + *why);
    }
    out = std::string(w->text);
    return true;
  }

  bool Proto() {
    const Word* w = Value();
    if (!w) return false;
    if (const Protocol* p = ProtocolByName(w->text)) {
      pkt_.proto = p->number;
    } else if (auto v = Number(w->text, 255)) {
      pkt_.proto = uint8_t(*v);
    } else {
      return Fail(w->col, "unknown protocol '" + Shown(w->text) + "'");
    }
    return true;
  }

  bool State() {
    const Word* w = Value();
    if (!w) return false;
    if (w->text == "new")
      pkt_.state = CtState::kNew;
    else if (w->text == "established")
      pkt_.state = CtState::kEstablished;
    else if (w->text == "invalid" || w->text == "untracked")
      pkt_.state = CtState::kInvalid;
    else
      return Fail(w->col, "state is new, established, invalid or untracked");
    return true;
  }

  bool One() {
    std::string_view kw = words_[i_].text;
    if (kw == "from-router") {
      pkt_.from_router = true;
      return Once(kw);
    }
    if (kw == "from" || kw == "to" || kw == "proto" || kw == "sport" || kw == "dport" ||
        kw == "iif" || kw == "oif" || kw == "state") {
      if (!Once(kw)) return false;
    }
    if (kw == "from") return Address(src_);
    if (kw == "to") return Address(dst_);
    if (kw == "proto") return Proto();
    if (kw == "sport") return Port(pkt_.sport);
    if (kw == "dport") return Port(pkt_.dport);
    if (kw == "iif") return Device(pkt_.iif);
    if (kw == "oif") return Device(pkt_.oif);
    if (kw == "state") return State();
    return Fail(words_[i_].col, "unknown word '" + Shown(kw) +
                                    "'; expected from, to, proto, sport, dport, iif, "
                                    "from-router, oif or state");
  }

  std::optional<Packet> Finish() {
    if (!src_ || !dst_)
      return Fail(end_col_, "a packet needs 'from ADDR' and 'to ADDR'"), std::nullopt;
    if (src_->family != dst_->family) {
      return Fail(1, "'from' and 'to' are of different families"), std::nullopt;
    }
    if (pkt_.from_router == !pkt_.iif.empty()) {
      return Fail(end_col_, "say where the packet comes from: 'iif DEV' or 'from-router'"),
             std::nullopt;
    }
    if (!pkt_.oif.empty() && !pkt_.from_router) {
      return Fail(1, "'oif' (a bound socket) needs 'from-router'"), std::nullopt;
    }
    bool ports = pkt_.proto && (*pkt_.proto == 6 || *pkt_.proto == 17 || *pkt_.proto == 132 ||
                                *pkt_.proto == 136);
    if ((pkt_.sport || pkt_.dport) && !ports) {
      return Fail(1, "ports need 'proto' tcp, udp, sctp or udplite"), std::nullopt;
    }
    pkt_.family = src_->family;
    pkt_.src = *src_;
    pkt_.dst = *dst_;
    return pkt_;
  }

  static std::string Shown(std::string_view s) { return syntax::CommentLine(std::string(s)); }

  std::vector<Word> words_;
  std::string& error_;
  uint32_t& col_;
  uint32_t end_col_;
  size_t i_ = 0;
  std::string seen_;
  std::optional<Addr> src_, dst_;
  Packet pkt_;
};

}  // namespace

std::optional<Packet> ParsePacket(std::string_view text, std::string& error, uint32_t& col) {
  return Parser(text, error, col).Run();
}

std::optional<Packet> ParsePacket(const std::string& text, const std::string& name,
                                  SourceManager& sm, Diagnostics& diags) {
  std::string err;
  uint32_t col = 1;
  if (auto pkt = ParsePacket(text, err, col)) return pkt;
  uint32_t id = sm.Add(name, "", text);
  Pos b{id, 1, col, col - 1};
  Pos e = b;
  if (col <= text.size()) {  // underline the word
    size_t end = text.find(' ', col - 1);
    e.offset = uint32_t(end == std::string::npos ? text.size() : end);
    e.col = e.offset + 1;
  }
  auto& d = diags.Error(Code::kPacketSyntax, Range{b, e}, "invalid packet: " + err);
  d.help =
      "write e.g. 'from 10.0.0.2 to 8.8.8.8 proto udp dport 53 iif eth0' ('from-router' "
      "instead of 'iif DEV' for the router's own packets; 'state invalid')";
  return std::nullopt;
}

std::string FormatPacket(const Packet& p) {
  std::string s = "from " + FormatAddr(p.src) + " to " + FormatAddr(p.dst);
  if (p.proto) {
    const Protocol* pr = ProtocolByNumber(*p.proto);
    s += " proto " + (pr ? std::string(pr->name) : std::to_string(*p.proto));
  }
  if (p.sport) s += " sport " + std::to_string(*p.sport);
  if (p.dport) s += " dport " + std::to_string(*p.dport);
  s += p.from_router ? " from-router" : " iif " + p.iif;
  if (!p.oif.empty()) s += " oif " + p.oif;
  if (p.state == CtState::kEstablished) s += " state established";
  if (p.state == CtState::kInvalid) s += " state invalid";
  return s;
}

}  // namespace pbrc::analysis
