// Live rules: each rule pbrc writes carries its policy rule id at the start of its nft
// comment ("rule 7 seed.pbr:28 -> wan1"), which NftObjects reads into the key "CHAIN rule 7";
// those rules match by id. The others (restore and entry rules, inbound pins, rules written
// with `comments off` or by an older pbrc, rules added by hand) match by content and order
// per chain (plan::AlignRules); a kernel rule nothing corresponds to is removed.
#include "live.h"

namespace pbrc::live {

void AlignRules(plan::State& desired, plan::State& current) {
  plan::AlignOptions o;
  o.group = [](const std::string& key) { return key.substr(0, key.find(' ')); };
  o.identity = [](const std::string& key) { return key.find(" rule ") != std::string::npos; };
  o.unmatched_suffix = " (kernel)";
  o.always_mark = true;
  plan::AlignRules(desired, current, o);
}

}  // namespace pbrc::live
