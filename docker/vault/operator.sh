#!/bin/sh
# Key-holder ceremonies for the OpenBao of docker/docker-compose.yml. Run inside
# the vault container, in a terminal (secrets are typed at hidden prompts and
# never stored):
#
#   docker compose -f docker/docker-compose.yml exec vault sh /bloomdesk/operator.sh COMMAND
#
# COMMAND:
#   generate-root      two key holders type their shares; prints a new root token
#   rotate-keys [K1 K2 K3]
#                      asks for a root token and two current shares; prints three
#                      new shares (threshold 2), each encrypted to a holder's PGP
#                      public key when three key files are given
#   revoke-token       asks for a token (e.g. a root token) and revokes it
#   shell              asks for a token and opens a shell with BAO_TOKEN set, for
#                      other administration (PII key rotation, AppRole secret ids)
#
# Unsealing needs no script: each holder runs
#   docker compose -f docker/docker-compose.yml exec vault bao operator unseal
# POSIX sh: the OpenBao image has no bash. See docker/README.md.
set -eu

BAO=${BAO_BIN:-bao}
API_ADDR=${BAO_ADDR:-http://127.0.0.1:8200}
# The break-glass listener of config.hcl: the only one that serves the
# unauthenticated generate-root endpoints, and only inside this container.
BREAK_GLASS_ADDR=${BREAK_GLASS_ADDR:-http://127.0.0.1:8300}
export BAO_FORMAT=table
unset BAO_TOKEN VAULT_TOKEN

say() { printf '%s\n' "$*"; }
die() {
  printf 'operator.sh: %s\n' "$*" >&2
  exit 1
}

# ask PROMPT: reads one line from the terminal without echoing it.
ask() {
  # Echo off before the prompt shows: whatever is typed once it is visible stays hidden.
  stty -echo 2>/dev/null || true
  printf '%s' "$1" >&2
  IFS= read -r answer || answer=''
  stty echo 2>/dev/null || true
  printf '\n' >&2
  [ -n "$answer" ] || die "nothing entered"
  printf '%s' "$answer"
}

[ -t 0 ] || die "run this in a terminal: docker compose ... exec vault sh /bloomdesk/operator.sh ..."

# decode_token ENCODED OTP: the root token is base64(token XOR otp), unpadded.
decode_token() {
  encoded=$1 otp=$2
  while [ $((${#encoded} % 4)) -ne 0 ]; do encoded="$encoded="; done
  # shellcheck disable=SC2046 # one word per byte is intended
  set -- $(printf '%s' "$encoded" | base64 -d | od -An -v -tu1)
  token=''
  rest=$otp
  for byte in "$@"; do
    char=${rest%"${rest#?}"}
    rest=${rest#?}
    # shellcheck disable=SC2059 # the format is the octal escape built here
    token="$token$(printf "\\$(printf '%03o' $((byte ^ $(printf '%d' "'$char"))))")"
  done
  printf '%s' "$token"
}

generate_root() {
  export BAO_ADDR="$BREAK_GLASS_ADDR"
  started=$("$BAO" read -field=started sys/generate-root/attempt) ||
    die "the break-glass listener does not answer at $BREAK_GLASS_ADDR (see config.hcl)"
  if [ "$started" = true ]; then
    say 'A root token generation is already in progress; it is cancelled and started afresh.'
    "$BAO" delete sys/generate-root/attempt >/dev/null
  fi
  # The server makes the one-time password; it stays in this shell's memory.
  otp=$("$BAO" write -field=otp -f sys/generate-root/attempt)
  nonce=$("$BAO" read -field=nonce sys/generate-root/attempt)
  trap '"$BAO" delete sys/generate-root/attempt >/dev/null 2>&1 || true' EXIT
  say "Root token generation started (nonce $nonce). Two key holders now type their share."
  encoded=''
  for holder in 1 2; do
    share=$(ask "Key holder $holder of 2, your unseal key share (hidden): ")
    encoded=$(printf '%s' "$share" | "$BAO" write -field=encoded_token sys/generate-root/update key=- nonce="$nonce") ||
      die "the share was refused; nothing generated"
    share=''
  done
  trap - EXIT
  [ -n "$encoded" ] || die "two shares did not complete the generation"
  say ''
  say "New root token: $(decode_token "$encoded" "$otp")"
  say 'Use it for the task at hand, then revoke it: sh /bloomdesk/operator.sh revoke-token'
}

rotate_keys() {
  case $# in
    0) pgp_keys='' ;;
    3)
      for file in "$@"; do [ -r "$file" ] || die "cannot read PGP public key file $file"; done
      pgp_keys="$1,$2,$3"
      ;;
    *) die "rotate-keys takes no argument or three PGP public key files" ;;
  esac
  export BAO_ADDR="$API_ADDR"
  BAO_TOKEN=$(ask 'Root token (hidden): ')
  export BAO_TOKEN
  "$BAO" operator rotate-keys -cancel >/dev/null 2>&1 || true
  if [ -n "$pgp_keys" ]; then
    "$BAO" operator rotate-keys -init -key-shares=3 -key-threshold=2 -pgp-keys="$pgp_keys" >/dev/null
  else
    "$BAO" operator rotate-keys -init -key-shares=3 -key-threshold=2 >/dev/null
  fi
  trap '"$BAO" operator rotate-keys -cancel >/dev/null 2>&1 || true' EXIT
  nonce=$("$BAO" operator rotate-keys -status -format=json | sed -n 's/^ *"nonce": "\(.*\)",*$/\1/p')
  say "Key rotation started (nonce $nonce). Two holders of the CURRENT shares now type theirs."
  out=''
  for holder in 1 2; do
    share=$(ask "Key holder $holder of 2, your current unseal key share (hidden): ")
    out=$(printf '%s' "$share" | "$BAO" operator rotate-keys -nonce="$nonce" - 2>&1) || {
      printf '%s\n' "$out"
      die "the share was refused"
    }
    share=''
  done
  trap - EXIT
  # "Key N: <share>", or with PGP "Key N fingerprint: <fpr>; value: <share>".
  new_share() { printf '%s\n' "$out" | sed -n "s/^Key $1: //p; s/^Key $1 fingerprint: [0-9a-fA-F]*; value: //p"; }
  new1=$(new_share 1) new2=$(new_share 2) new3=$(new_share 3)
  if [ -z "$new1" ] || [ -z "$new2" ] || [ -z "$new3" ]; then
    # If the rotation completed, the old shares are void: never lose the new ones.
    printf '%s\n' "$out"
    die "the answer above was not understood; if it holds new shares, hand them out now"
  fi
  say ''
  say 'New unseal key shares (threshold 2). The old shares are void from now on.'
  say 'They are shown this once and stored nowhere: hand each to its holder now.'
  [ -z "$pgp_keys" ] || say "Each is encrypted to the holder's PGP key (echo '<share>' | base64 -d | gpg --decrypt)."
  say ''
  say "Holder 1: $new1"
  say "Holder 2: $new2"
  say "Holder 3: $new3"
  out='' new1='' new2='' new3=''
}

revoke_token() {
  export BAO_ADDR="$API_ADDR"
  BAO_TOKEN=$(ask 'Token to revoke (hidden): ')
  export BAO_TOKEN
  "$BAO" token revoke -self >/dev/null
  say 'Token revoked.'
}

open_shell() {
  BAO_TOKEN=$(ask 'Token (hidden): ')
  export BAO_TOKEN BAO_ADDR="$API_ADDR"
  say 'BAO_TOKEN is set in this shell only; "exit" leaves it.'
  HISTFILE=/dev/null exec sh
}

command=${1:-}
[ $# -eq 0 ] || shift
case $command in
  generate-root) generate_root ;;
  rotate-keys) rotate_keys "$@" ;;
  revoke-token) revoke_token ;;
  shell) open_shell ;;
  *) die "usage: operator.sh generate-root | rotate-keys [KEY1 KEY2 KEY3] | revoke-token | shell" ;;
esac
