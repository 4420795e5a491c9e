#!/bin/sh
# Initialises the OpenBao server of docker/docker-compose.yml for Bloomdesk.
# Run it once, from the repository root, in the vault-init container:
#
#   docker compose -f docker/docker-compose.yml run --rm vault-init
#       3 key shares, threshold 2, printed in clear: the person at this terminal
#       sees all three; hand each to its holder and let no one keep two.
#
#   docker compose -f docker/docker-compose.yml run --rm vault-init \
#       /bloomdesk/pgp/holder1.asc /bloomdesk/pgp/holder2.asc /bloomdesk/pgp/holder3.asc
#       each share encrypted to one holder's PGP public key (files in docker/vault/pgp/);
#       only that holder can read it. Two holders then unseal by hand.
#
# The key shares and the initial root token exist only in this shell's memory
# and on the terminal: never in a file, a volume or a container log (the
# vault-init service logs nothing). After unsealing it applies configure.sh
# (transit, keys, KV v2, policies, AppRole), prints the AppRole role id and a
# secret id for docker/.env, and offers to revoke the root token.
# Refuses to initialise a server that is already initialised; on such a server
# it re-applies configure.sh when given a token (idempotent).
# POSIX sh: the OpenBao image has no bash. See docker/README.md.
set -eu

BAO=${BAO_BIN:-bao}
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
BAO_ADDR=${BAO_ADDR:-http://vault:8200}
export BAO_ADDR
export BAO_FORMAT=table
ROLE=bloomdesk-app
UNSEAL_WAIT_SECONDS=${UNSEAL_WAIT_SECONDS:-1800}
COMPOSE='docker compose -f docker/docker-compose.yml'

say() { printf '%s\n' "$*"; }
die() {
  printf 'vault-init: %s\n' "$*" >&2
  exit 1
}
rule() { say '=========================================================================='; }
is_tty() { [ -t 0 ] && [ -t 1 ]; }

# --- arguments ------------------------------------------------------------
case $# in
  0) pgp_keys='' ;;
  3)
    for file in "$@"; do
      [ -r "$file" ] || die "cannot read PGP public key file $file"
      case $file in *,*) die "a PGP key file name must not contain a comma: $file" ;; esac
    done
    pgp_keys="$1,$2,$3"
    ;;
  *) die "give no argument (shares printed in clear) or exactly three PGP public key files, one per key holder" ;;
esac

# --- server state ---------------------------------------------------------
# `bao status` exits 0 when unsealed, 2 when sealed, 1 when it cannot ask.
seal_status() {
  rc=0
  "$BAO" status >/dev/null 2>&1 || rc=$?
  echo "$rc"
}

waited=0
until [ "$(seal_status)" != 1 ]; do
  [ "$waited" -lt 60 ] || die "no answer from $BAO_ADDR after 60 s (is the vault service up? $COMPOSE ps vault)"
  sleep 2
  waited=$((waited + 2))
done

# configure TOKEN: applies configure.sh with TOKEN and prints the AppRole credentials.
configure() {
  BAO_TOKEN=$1
  export BAO_TOKEN
  summary=$(BAO_BIN=$BAO sh "$HERE/configure.sh") || die "the configuration failed (see above)"
  say "Bloomdesk configuration: $summary"
  role_id=$("$BAO" read -field=role_id "auth/approle/role/$ROLE/role-id")
  secret_id=$("$BAO" write -f -field=secret_id "auth/approle/role/$ROLE/secret-id")
  rule
  say 'AppRole credentials of the app. Put these two lines into docker/.env'
  say "(chmod 600 docker/.env), then start the app: $COMPOSE up -d app"
  say ''
  say "VAULT_ROLE_ID=$role_id"
  say "VAULT_SECRET_ID=$secret_id"
  say ''
  say 'The secret id does not expire. Each run of this script issues a new one; list and'
  say 'destroy old ones as described in docker/README.md ("AppRole secret ids").'
  rule
}

# read_token PROMPT: reads a token from the terminal without echoing it.
read_token() {
  # Echo off before the prompt shows: whatever is typed once it is visible stays hidden.
  stty -echo 2>/dev/null || true
  printf '%s' "$1" >&2
  IFS= read -r token || token=''
  stty echo 2>/dev/null || true
  printf '\n' >&2
  printf '%s' "$token"
}

init_rc=0
"$BAO" operator init -status >/dev/null 2>&1 || init_rc=$?
case $init_rc in
  0) ;;
  2) ;;
  *) die "cannot read the initialisation status of $BAO_ADDR" ;;
esac

if [ "$init_rc" = 0 ]; then
  say "The server at $BAO_ADDR is already initialised: it will not be initialised again."
  if [ "$(seal_status)" = 2 ]; then
    say "It is sealed. Two key holders unseal it, each running: $COMPOSE exec vault bao operator unseal"
    exit 1
  fi
  token=${BAO_TOKEN:-}
  if [ -z "$token" ] && is_tty; then
    say 'To re-apply the Bloomdesk configuration (changes only what differs), give a token'
    say 'with root rights (generate one as docker/README.md says; revoke it afterwards).'
    token=$(read_token 'Token (input hidden, empty to stop): ')
  fi
  if [ -z "$token" ]; then
    say 'Nothing else done. To re-apply the Bloomdesk configuration, run this again in a'
    say 'terminal and give a token with root rights when asked.'
    exit 0
  fi
  configure "$token"
  exit 0
fi

# --- initialise -----------------------------------------------------------
# The output goes into a variable only: no file, no tee.
if [ -n "$pgp_keys" ]; then
  out=$("$BAO" operator init -key-shares=3 -key-threshold=2 -pgp-keys="$pgp_keys")
else
  out=$("$BAO" operator init -key-shares=3 -key-threshold=2)
fi

field() { printf '%s\n' "$out" | sed -n "s/^$1: *//p"; }
share1=$(field 'Unseal Key 1')
share2=$(field 'Unseal Key 2')
share3=$(field 'Unseal Key 3')
root_token=$(field 'Initial Root Token')
if [ -z "$share1" ] || [ -z "$share2" ] || [ -z "$share3" ] || [ -z "$root_token" ]; then
  # Never lose the shares: show what the server answered, then stop.
  rule
  printf '%s\n' "$out"
  rule
  die "the server was initialised, but its answer was not understood; copy the shares above now, unseal by hand and run this script again"
fi
out=''

rule
say 'OpenBao is initialised: 3 key shares, any 2 of them unseal it.'
say 'The shares are shown this once and stored nowhere. Hand each to its holder now.'
if [ -n "$pgp_keys" ]; then
  say 'Each share is encrypted to one holder'"'"'s PGP key; the holder reads it with'
  say "  echo '<share>' | base64 -d | gpg --decrypt"
  say ''
  say "Holder 1 ($(basename "$1")): $share1"
  say ''
  say "Holder 2 ($(basename "$2")): $share2"
  say ''
  say "Holder 3 ($(basename "$3")): $share3"
else
  say 'Shown in clear: whoever reads this screen holds all three. Give each holder'
  say 'exactly one, through a channel only they read, and clear this screen after.'
  say ''
  say "Holder 1: $share1"
  say "Holder 2: $share2"
  say "Holder 3: $share3"
fi
say ''
say 'Initial root token (for this set-up only; revoke it when done):'
say "  $root_token"
rule

# --- unseal ---------------------------------------------------------------
if [ -n "$pgp_keys" ]; then
  say 'Now two key holders unseal the server, each from a terminal on the Docker host:'
  say '  1. decrypt their share as shown above'
  say "  2. run: $COMPOSE exec vault bao operator unseal"
  say '     and paste the decrypted share at the prompt.'
  say "Waiting up to $((UNSEAL_WAIT_SECONDS / 60)) minutes for the server to be unsealed..."
  waited=0
  until [ "$(seal_status)" = 0 ]; do
    if [ "$waited" -ge "$UNSEAL_WAIT_SECONDS" ]; then
      die "still sealed. Once it is unsealed, run this script again and give the root token above to finish the set-up"
    fi
    sleep 5
    waited=$((waited + 5))
  done
else
  # Through stdin (key=-): an argument would show in the process list, and
  # `bao operator unseal` reads only from a terminal.
  printf '%s' "$share1" | "$BAO" write sys/unseal key=- >/dev/null
  printf '%s' "$share2" | "$BAO" write sys/unseal key=- >/dev/null
  [ "$(seal_status)" = 0 ] || die "two shares did not unseal the server"
fi
share1='' share2='' share3=''
say 'Unsealed.'

# --- configure ------------------------------------------------------------
# With raft storage the node serves requests once it has elected itself leader.
waited=0
until [ "$("$BAO" read -field=is_self sys/leader 2>/dev/null || true)" = true ]; do
  [ "$waited" -lt 60 ] || die "unsealed, but not active after 60 s ($COMPOSE logs vault)"
  sleep 1
  waited=$((waited + 1))
done
configure "$root_token"

# --- the root token -------------------------------------------------------
revoke_now=no
if is_tty; then
  printf 'Revoke the initial root token now? A new one can be generated later from two shares. [Y/n] '
  IFS= read -r answer || answer=''
  case $answer in [nN]*) ;; *) revoke_now=yes ;; esac
fi
if [ "$revoke_now" = yes ]; then
  "$BAO" token revoke -self >/dev/null
  say 'Root token revoked.'
else
  say 'Revoke the root token as soon as you are done with it:'
  say "  $COMPOSE exec vault sh /bloomdesk/operator.sh revoke-token"
  say 'Two key holders can generate a new one when needed:'
  say "  $COMPOSE exec vault sh /bloomdesk/operator.sh generate-root"
fi
root_token='' BAO_TOKEN=''
