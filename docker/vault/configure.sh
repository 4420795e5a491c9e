#!/bin/sh
# Applies what Bloomdesk expects of a Vault / OpenBao server, and changes only
# what differs, so running it again changes nothing:
#   - transit engine at transit/, with disable_upsert (the app can never create
#     a key by encrypting with a mistyped name)
#   - transit key bloomdesk-pii (aes256-gcm96, derived: the tenant id is the context)
#   - transit key bloomdesk-blind-index (aes256-gcm96, not derived, HMAC only, never rotated)
#   - KV v2 at secret/
#   - policies bloomdesk-app and bloomdesk-rotator from the .hcl files beside this script
#   - AppRole auth with role bloomdesk-app (token_ttl 1h, token_max_ttl 24h, secret_id_ttl 0)
#
# Used by scripts/services.sh (OpenBao dev server on this machine) and by
# docker/vault/init.sh (in the vault-init container), so both get the same setup.
#
# Environment: BAO_ADDR, BAO_TOKEN (a token allowed to do all of the above),
# BAO_BIN (default: bao). Prints one line: what it changed. Never prints a token.
# POSIX sh: the OpenBao image has no bash.
set -eu

BAO=${BAO_BIN:-bao}
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
: "${BAO_ADDR:?BAO_ADDR must be set}"
: "${BAO_TOKEN:?BAO_TOKEN must be set}"
export BAO_ADDR BAO_TOKEN
# A caller's BAO_FORMAT=json would change what `bao policy read` prints.
export BAO_FORMAT=table

PII_KEY=bloomdesk-pii
BLIND_INDEX_KEY=bloomdesk-blind-index
ROLE=bloomdesk-app

changed=''
note() { changed="${changed:+$changed, }$1"; }
die() { echo "configure: $*" >&2; exit 3; }

# get PATH: prints the JSON answer to GET /v1/PATH with all white space removed
# (so callers can match '"key":value'); returns 1 when nothing is there and
# exits 3 on any other failure. Uses curl when present (about ten times faster
# than starting the bao CLI), else the CLI, which is all the OpenBao image has.
get() {
  if command -v curl >/dev/null 2>&1; then
    # The token goes to curl on stdin, not on its command line, where ps shows it.
    answer=$(printf 'header = "X-Vault-Token: %s"\n' "$BAO_TOKEN" |
      curl -sS -K - -m 10 -w '\n%{http_code}' "${BAO_ADDR%/}/v1/$1") || die "cannot reach $BAO_ADDR"
    code=$(printf '%s\n' "$answer" | tail -n 1)
    case $code in
      200) printf '%s\n' "$answer" | sed '$d' | tr -d ' \t\r\n' ;;
      400 | 404) return 1 ;;
      *) die "GET /v1/$1 answered HTTP $code" ;;
    esac
  else
    # The CLI exits 2 both for "nothing there" and for an API error; an error
    # then surfaces at the write that follows, which stops the script.
    answer=$("$BAO" read -format=json "$1" 2>/dev/null) || return 1
    printf '%s\n' "$answer" | tr -d ' \t\r\n'
  fi
}

# lookup PATH: sets FOUND (yes/no) and BODY.
lookup() {
  if BODY=$(get "$1"); then
    FOUND=yes
  else
    rc=$?
    [ "$rc" -eq 1 ] || exit "$rc"
    FOUND=no
    BODY=''
  fi
}

# has_field BODY KEY VALUE: BODY holds "KEY":VALUE (VALUE as JSON, e.g. true, 3600, "kv").
has_field() {
  printf '%s' "$1" | grep -Eq "\"$2\":$3[],}]"
}

run() { "$BAO" "$@" >/dev/null; }

# --- transit engine -------------------------------------------------------
lookup sys/mounts/transit
if [ "$FOUND" = no ]; then
  run secrets enable -path=transit transit
  note 'transit engine'
elif ! has_field "$BODY" type '"transit"'; then
  die "transit/ is mounted, but not as a transit engine"
fi

lookup transit/config/keys
if ! has_field "$BODY" disable_upsert true; then
  run write transit/config/keys disable_upsert=true
  note 'transit disable_upsert'
fi

# --- transit keys ---------------------------------------------------------
# ensure_key NAME DERIVED: type and derivation cannot change after creation,
# so a key that exists with other settings is an error for a person to look at.
ensure_key() {
  lookup "transit/keys/$1"
  if [ "$FOUND" = no ]; then
    run write -f "transit/keys/$1" type=aes256-gcm96 "derived=$2"
    note "key $1"
  elif ! has_field "$BODY" type '"aes256-gcm96"' || ! has_field "$BODY" derived "$2"; then
    die "transit key $1 exists, but not as type aes256-gcm96 with derived=$2"
  fi
}
ensure_key "$PII_KEY" true
ensure_key "$BLIND_INDEX_KEY" false

# --- KV v2 at secret/ -----------------------------------------------------
lookup sys/mounts/secret
if [ "$FOUND" = no ]; then
  run secrets enable -path=secret -version=2 kv
  note 'KV v2 at secret/'
elif ! has_field "$BODY" type '"kv"'; then
  die "secret/ is mounted, but not as a KV engine"
elif ! has_field "$BODY" version '"2"'; then
  run kv enable-versioning secret/
  note 'KV v2 at secret/ (upgraded from v1)'
fi

# --- policies -------------------------------------------------------------
for policy in bloomdesk-app bloomdesk-rotator; do
  file="$HERE/$policy.hcl"
  [ -r "$file" ] || die "missing $file"
  current=$("$BAO" policy read "$policy" 2>/dev/null || true)
  if [ "$current" != "$(cat "$file")" ]; then
    run policy write "$policy" "$file"
    note "policy $policy"
  fi
done

# --- AppRole --------------------------------------------------------------
lookup sys/auth/approle
if [ "$FOUND" = no ]; then
  run auth enable approle
  note 'approle auth'
elif ! has_field "$BODY" type '"approle"'; then
  die "auth path approle/ is enabled, but not as AppRole"
fi

lookup "auth/approle/role/$ROLE"
if [ "$FOUND" = no ] ||
  ! has_field "$BODY" token_policies "\\[\"$ROLE\"\\]" ||
  ! has_field "$BODY" token_ttl 3600 ||
  ! has_field "$BODY" token_max_ttl 86400 ||
  ! has_field "$BODY" secret_id_ttl 0; then
  run write "auth/approle/role/$ROLE" token_policies="$ROLE" token_ttl=1h token_max_ttl=24h secret_id_ttl=0
  note "approle role $ROLE"
fi

if [ -n "$changed" ]; then
  echo "configured: $changed"
else
  echo 'already configured'
fi
