#!/usr/bin/env bash
# Starts or stops a PRIVATE Docker engine for the integration tests.
#
#   scripts/test-docker-engine.sh start   # install if needed, start, import tapo-busybox:latest
#   scripts/test-docker-engine.sh stop    # remove its containers, stop it, delete its bridge
#
# Then: export TAPO_TEST_DOCKER_HOST=unix:///run/tapo-test-docker/docker.sock
#
# Why private: the tests create and remove containers, so they must never touch
# the engine a developer uses. Every path, the socket, the bridge and the
# containerd namespace are the engine's own, so it runs beside a normal dockerd.
# Why an imported image: no registry is reachable on the test machines, so the
# image is a busybox-static root filesystem loaded with `docker import`.
# Needs root (dockerd, bridges). Tested on Debian 12 (docker.io 20.10.24).
set -euo pipefail

RUN_DIR=/run/tapo-test-docker
DATA_ROOT=/var/lib/tapo-test-docker
SOCKET="$RUN_DIR/docker.sock"
HOST="unix://$SOCKET"
PIDFILE="$RUN_DIR/docker.pid"
LOG="$RUN_DIR/dockerd.log"
BRIDGE=tapobr0
BRIDGE_CIDR=172.31.250.1/24
IMAGE=tapo-busybox:latest
# dockerd first starts containerd and sets up its storage; on a busy 2-core
# machine that has taken up to ~10 s, so 60 s only catches real failures.
START_TIMEOUT_S=60
STOP_TIMEOUT_S=30

say() { printf 'test-docker-engine: %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
dock() { docker -H "$HOST" "$@"; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (dockerd and the bridge need it), e.g. sudo $0 $*"
}

# A fresh machine has none of the parts; installing only what is missing keeps
# a second `start` fast and offline.
install_missing_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || missing+=(busybox-static)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  if [ "${#missing[@]}" -eq 0 ]; then
    say "packages present: docker.io, busybox-static, iproute2"
    return
  fi
  # Deduplicate (docker.io may be listed twice).
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  local tool
  for tool in dockerd docker ip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool still missing after installing ${missing[*]} (is /usr/sbin on PATH?)"
  done
}

engine_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

engine_answers() { dock version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_bridge() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    say "bridge $BRIDGE exists"
  else
    say "creating bridge $BRIDGE with $BRIDGE_CIDR"
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

start_dockerd() {
  mkdir -p "$RUN_DIR" "$DATA_ROOT"
  rm -f "$PIDFILE" "$SOCKET"
  say "starting dockerd on $HOST (data $DATA_ROOT, log $LOG)"
  # --bridge must be a real bridge: --bridge=none silently drops published ports.
  # --iptables/--ip-forward=false keep the host's firewall and sysctls untouched;
  # published ports still work through docker-proxy on the host side.
  # Own containerd namespaces so a shared system containerd cannot mix our
  # containers with another engine's.
  setsid dockerd \
    --host "$HOST" \
    --data-root "$DATA_ROOT" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$PIDFILE" \
    --bridge "$BRIDGE" \
    --iptables=false \
    --ip-forward=false \
    --storage-driver=vfs \
    --containerd-namespace tapo-test \
    --containerd-plugins-namespace tapo-test-plugins \
    >"$LOG" 2>&1 </dev/null &
  local started=$SECONDS
  until engine_answers; do
    if ! kill -0 "$!" 2>/dev/null; then
      tail -n 20 "$LOG" >&2 || true
      die "dockerd exited during start-up; see $LOG"
    fi
    if [ $((SECONDS - started)) -ge "$START_TIMEOUT_S" ]; then
      tail -n 20 "$LOG" >&2 || true
      die "dockerd did not answer on $HOST within ${START_TIMEOUT_S}s; see $LOG"
    fi
    sleep 0.2
  done
  say "dockerd answers: $(dock version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
}

import_image() {
  if dock image inspect "$IMAGE" >/dev/null 2>&1; then
    say "image $IMAGE present"
    return
  fi
  local busybox rootfs
  busybox="$(dpkg -L busybox-static | grep -E '/bin/busybox$' | head -n 1)"
  [ -x "$busybox" ] || die "busybox-static's busybox not found"
  rootfs="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the variable is local
  trap "rm -rf '$rootfs'; trap - RETURN" RETURN
  say "building $IMAGE from $busybox"
  mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,www}
  cp "$busybox" "$rootfs/bin/busybox"
  # Symlinked applets: `httpd`, `sh`, `sleep` then work as commands in
  # HostConfig/Cmd without a `busybox` prefix.
  local applet
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'tapo-busybox\n' >"$rootfs/www/index.html"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | dock import \
    --change 'ENV PATH=/bin' \
    --change 'WORKDIR /www' \
    --change 'CMD ["/bin/sh"]' \
    - "$IMAGE" >/dev/null
  say "imported $IMAGE ($(dock image inspect --format '{{.Size}}' "$IMAGE") bytes)"
}

cmd_start() {
  require_root start
  local began
  began="$(date +%s%3N)"
  install_missing_packages
  ensure_bridge
  if pid="$(engine_pid)" && engine_answers; then
    say "dockerd already running (pid $pid)"
  else
    start_dockerd
  fi
  import_image
  say "ready in $(($(date +%s%3N) - began)) ms; export TAPO_TEST_DOCKER_HOST=$HOST"
}

cmd_stop() {
  require_root stop
  local pid
  if pid="$(engine_pid)"; then
    # Containers first: stopping dockerd with running containers leaves
    # docker-proxy listeners and shims behind until the next start.
    if engine_answers; then
      local ids
      ids="$(dock ps -aq)"
      if [ -n "$ids" ]; then
        say "removing containers: $(printf '%s' "$ids" | tr '\n' ' ')"
        # shellcheck disable=SC2086 # one id per word
        dock rm -f $ids >/dev/null
      fi
    fi
    say "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge $((STOP_TIMEOUT_S * 5)) ]; then
        say "dockerd still running after ${STOP_TIMEOUT_S}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
      waited=$((waited + 1))
    done
  else
    say "dockerd not running (no live pid in $PIDFILE)"
  fi
  rm -f "$PIDFILE" "$SOCKET"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    say "deleting bridge $BRIDGE"
    ip link delete "$BRIDGE"
  fi
  say "stopped; the image stays in $DATA_ROOT for a faster next start"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *)
    printf 'usage: %s start|stop\n' "$0" >&2
    exit 2
    ;;
esac
