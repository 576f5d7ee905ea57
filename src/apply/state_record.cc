// The applied generation's nft side as a compact binary record (`gen-N/nft-state`): the
// objects the plan compares (table, sets with their normalized intervals, chains, rules,
// NAT), so the next apply whose nftables generation id proves the table unchanged plans
// from it instead of compiling the recorded policy again and loading it into a private
// namespace (docs/architecture.md, "Trusting the generation id").
//
// It is a cache: versioned and checksummed, and anything wrong with it (missing, cut,
// damaged, another version) makes the caller take the slow path; a failed write only
// costs the next apply that slow path.
//
// Layout: "pbrc-nft-state/1\n", payload size (u64), FNV-1a 64 of the payload (u64), then the
// payload: the nft text the listed objects were loaded from (u32 size + bytes), object count
// (u32), each object: kind (u8), key, attrs, origin (u32 size + bytes),
// element count (u32), each element: family (u8), lo and hi (4 bytes each for IPv4, 16 for
// IPv6). Integers little-endian as this machine writes them (the record never leaves it).
#include <endian.h>

#include <cstring>

#include "internal.h"
#include "pbrc/text.h"

namespace pbrc::apply {
namespace {

constexpr std::string_view kMagic = "pbrc-nft-state/1\n";

template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void PutText(std::string& out, const std::string& s) {
  Put<uint32_t>(out, s.size());
  out += s;
}

void PutAddr(std::string& out, U128 v, size_t bytes) {
  unsigned char b[16];
  for (size_t i = 0; i < bytes; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  out.append(reinterpret_cast<const char*>(b), bytes);
}

// Reads fixed-size fields; every read checks the bytes are there.
struct Reader {
  std::string_view data;
  size_t off = 0;
  bool Take(void* to, size_t n) {
    if (data.size() - off < n) return false;
    memcpy(to, data.data() + off, n);
    off += n;
    return true;
  }
  bool Text(std::string& s) {
    uint32_t n = 0;
    if (!Take(&n, 4) || data.size() - off < n) return false;
    s.assign(data.substr(off, n));
    off += n;
    return true;
  }
  bool Addr(U128& v, size_t bytes) {
    unsigned char b[16];
    if (bytes == 4) {  // the common case, one load (the bytes are little-endian)
      uint32_t x = 0;
      if (!Take(&x, 4)) return false;
      v = le32toh(x);
      return true;
    }
    if (!Take(b, bytes)) return false;
    v = 0;
    for (size_t i = bytes; i-- > 0;) v = (v << 8) | b[i];
    return true;
  }
  bool Element(Interval& e) {
    uint8_t fam = 0;
    if (!Take(&fam, 1) || fam > 1) return false;
    e.family = fam ? Family::kV6 : Family::kV4;
    size_t bytes = fam ? 16 : 4;
    return Addr(e.lo, bytes) && Addr(e.hi, bytes);
  }
};

bool DecodeObject(Reader& r, plan::Object& o) {
  uint8_t kind = 0;
  uint32_t n = 0;
  if (!r.Take(&kind, 1) || kind > static_cast<uint8_t>(plan::Kind::kMap)) return false;
  o.kind = static_cast<plan::Kind>(kind);
  if (!r.Text(o.key) || !r.Text(o.attrs) || !r.Text(o.origin) || !r.Take(&n, 4)) return false;
  if (n > (r.data.size() - r.off) / 9) return false;  // 9: the smallest element
  std::vector<Interval> els(n);
  for (auto& e : els)
    if (!r.Element(e)) return false;
  o.elements = IntervalList(std::move(els));
  return true;
}

}  // namespace

std::string EncodeNftState(const std::vector<const plan::Object*>& objects,
                           const std::string& listing_text) {
  // The size of the header and of an IPv4 record, exactly: one allocation, and no copy of a
  // million intervals' bytes for the header at the end.
  size_t size = kMagic.size() + 16 + 8 + listing_text.size();
  for (const plan::Object* o : objects)
    size += 17 + o->key.size() + o->attrs.size() + o->origin.size() + 9 * o->elements.size();
  std::string out(kMagic);
  out.reserve(size);
  Put<uint64_t>(out, 0);  // the payload's size and checksum, filled in below
  Put<uint64_t>(out, 0);
  PutText(out, listing_text);
  Put<uint32_t>(out, objects.size());
  for (const plan::Object* o : objects) {
    Put<uint8_t>(out, static_cast<uint8_t>(o->kind));
    PutText(out, o->key);
    PutText(out, o->attrs);
    PutText(out, o->origin);
    Put<uint32_t>(out, o->elements.size());
    for (const auto& e : o->elements) {
      bool v6 = e.family == Family::kV6;
      Put<uint8_t>(out, v6);
      PutAddr(out, e.lo, v6 ? 16 : 4);
      PutAddr(out, e.hi, v6 ? 16 : 4);
    }
  }
  size_t at = kMagic.size() + 16;
  std::string_view body = std::string_view(out).substr(at);
  uint64_t head[2] = {body.size(), Fnv1a(body)};
  memcpy(out.data() + kMagic.size(), head, sizeof head);
  return out;
}

bool DecodeNftState(const std::string& data, NftStateRecord& out, std::string& err) {
  err = "the record is damaged or of another version";
  out = {};
  Reader head{data};
  uint64_t size = 0, sum = 0;
  if (!data.starts_with(kMagic)) return false;
  head.off = kMagic.size();
  if (!head.Take(&size, 8) || !head.Take(&sum, 8) || data.size() - head.off != size) return false;
  Reader r{std::string_view(data).substr(head.off)};
  uint32_t n = 0;
  if (Fnv1a(r.data) != sum || !r.Text(out.listing_text) || !r.Take(&n, 4) || n > r.data.size())
    return false;
  out.state.objects.resize(n);
  for (auto& o : out.state.objects)
    if (!DecodeObject(r, o)) return false;
  if (r.off != r.data.size()) return false;
  err.clear();
  return true;
}

std::optional<NftStateRecord> RecordedNftState(const Target& t, const std::string& gen,
                                               std::string& err) {
  std::string path = t.Dir() + "/" + gen + "/" + kNftStateRecord, data;
  NftStateRecord s;
  if (!ReadWhole(path, data, err) || !DecodeNftState(data, s, err)) {
    err = "'" + path + "': " + err;
    return std::nullopt;
  }
  return s;
}

}  // namespace pbrc::apply
