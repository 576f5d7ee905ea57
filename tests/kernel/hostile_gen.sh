# Random hostile policies for hostile_names.sh (sourced; uses bash's seeded $RANDOM).
# Text is built as printf %b input, so any byte (NUL, newline, invalid UTF-8) can be written;
# a pbrc string escapes '"' and '\' itself, hence the doubled backslashes below.

# Bytes an attacker or an unlucky operator might put into a name. The syntax of each
# artifact, non-ASCII and a C1 control (valid UTF-8) can be in a link or set name; control
# bytes, invalid UTF-8 (a surrogate, a cut character) cannot be in any string.
SOFT_FRAGS=('#' '\\"' '\\\\' ' ' '*' '=' ':' '/' '?' '[' ']' "'" ';' '$' '{' '}' '\xc3\xa9'
  '\xe4\xb8\xad' '\xc2\x85' 'all' 'default' '.' '..' '-')
HARD_FRAGS=("${SOFT_FRAGS[@]}" '\n' '\t' '\xff' '\xed\xa0\x80' '\xe4\xb8' '\x00' '\x1b' '\r' '\x7f')
HOSTILE_FRAGS=("${HARD_FRAGS[@]}")
SAFE_CHARS=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-
IDENT_CHARS=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_
NFT_WORDS=(ip counter table filter meta inet set mark th rule pbr nat route raw eq and)

# rand_from CHARS N: N random characters of CHARS.
rand_from() {
  local chars="$1" n="$2" out="" i
  for ((i = 0; i < n; i++)); do out+="${chars:RANDOM % ${#chars}:1}"; done
  printf '%s' "$out"
}

# hostile_text MAXLEN HOSTILE_PERCENT: safe characters with hostile fragments mixed in.
hostile_text() {
  local max="$1" pct="$2" n=$((1 + RANDOM % $1)) out="" i
  for ((i = 0; i < n; i++)); do
    if ((RANDOM % 100 < pct)); then
      out+="${HOSTILE_FRAGS[RANDOM % ${#HOSTILE_FRAGS[@]}]}"
    else
      out+="${SAFE_CHARS:RANDOM % ${#SAFE_CHARS}:1}"
    fi
  done
  printf '%s' "$out"
}

# A device name: mostly plausible (1-15 safe bytes), sometimes too long or hostile.
rand_device() {
  case $((RANDOM % 12)) in
    0) hostile_text 16 30 ;;
    1) rand_from "$SAFE_CHARS" $((14 + RANDOM % 4)) ;;
    *) printf 'd%s' "$(rand_from "$SAFE_CHARS" $((RANDOM % 14)))" ;;
  esac
}

rand_table() {
  case $((RANDOM % 10)) in
    0) printf '%s' "${NFT_WORDS[RANDOM % ${#NFT_WORDS[@]}]}" ;;
    1) rand_from "$IDENT_CHARS" $((1 + RANDOM % 70)) ;;
    *) printf 't%s' "$(rand_from "$IDENT_CHARS" $((RANDOM % 20)))" ;;
  esac
}

# A file name: anything but '/' and NUL, up to ~200 bytes.
rand_file_name() {
  local n
  n="$(hostile_text 200 25)"
  n="${n//\//_}"
  n="${n//\\x00/_}"
  printf '%s' "$n"
}

# write_policy DIR FILE_NAME_%b TEXT_%b
write_policy() {
  local name
  mkdir -p "$1"
  printf -v name '%b' "$2"
  name="${name:0:200}"  # bytes (LC_ALL=C): NAME_MAX is 255 with ".pbr"
  printf '%b' "$3" >"$1/$name.pbr"
}

# policy_text TABLE SET1 SET2 LINK1 LINK2 DEV1 DEV2 DEV3 (all as printf %b input)
policy_text() {
  printf '%s' "# hostile round
options {
  nft table $1;
  protocol 200;
  preference 1000-1099;
}

set \"$2\" = { 10.1.0.0/16, 2001:db8:1::/48 };
set \"$3\" = { 10.2.0.0/16, 10.5.0.0/16 };

link \"$4\" {
  device \"$6\";
}
link \"$5\" {
  device \"$7\";
}

policy {
  from set \"$2\" via \"$4\";
  iif \"$8\" to set \"$3\" via \"$5\";
  from 10.3.0.0/16 to 10.4.0.0/16 via \"$4\";
  oif \"$6\" via \"$4\";
}
"
}

random_policy() {
  local set1 set2 file
  file="$(rand_file_name)"  # any byte but '/' and NUL: pbrc must accept every file name
  # Most rounds only hold what pbrc must accept in names, the rest anything at all.
  if ((RANDOM % 5)); then HOSTILE_FRAGS=("${SOFT_FRAGS[@]}"); fi
  set1="$(hostile_text 300 10)"
  set2="$(hostile_text 300 10)"
  write_policy "$1" "$file" "$(policy_text "$(rand_table)" "$set1" "$set2" \
    "$(hostile_text 200 15)" "$(hostile_text 200 15)" "$(rand_device)" "$(rand_device)" \
    "$(rand_device)")"
  HOSTILE_FRAGS=("${HARD_FRAGS[@]}")
}

# Issue 8: a file name with newlines that flushes the ruleset and adds a table (the header
# used to print it raw into every artifact).
attack_header() {
  write_policy "$1" 'x\nflush ruleset\nadd table ip evil\nrule add pref 5 prohibit\n#' \
    "$(policy_text pbr A B wan1 wan2 eth1 eth2 eth3)"
}

# Issue 8: '#' made ip -batch ignore the rest of the line (and replace main's default route).
attack_hash_device() {
  write_policy "$1" 'hash' "$(policy_text pbr A B wan1 wan2 'eth1#' eth2 eth3)"
}
