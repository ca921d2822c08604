#!/usr/bin/env bash
# A Docker engine for the container tests, on a machine with no registry access and no bridge
# networking allowed (containers use the host's network only).
#
#   .ci/container-engine.sh up           install docker.io from Debian if missing, start dockerd
#                                        (no bridge, no iptables) unless an engine already answers
#   .ci/container-engine.sh base-image T build a base image T without any registry: the Node binary
#                                        of node_modules/node (the `node` devDependency), its shared
#                                        libraries and a static busybox, with a `node` user (uid 1000)
#                                        like the official node images
#   .ci/container-engine.sh down         stop the dockerd that `up` started (nothing else)
set -euo pipefail

STATE=${S2E_ENGINE_STATE:-/tmp/s2e-docker}
SOCKET=unix:///var/run/docker.sock
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

engine_answers() { docker -H "$SOCKET" info >/dev/null 2>&1; }

up() {
  if command -v docker >/dev/null && engine_answers; then
    echo "container engine: using the one already running ($(docker -H "$SOCKET" version --format '{{.Server.Version}}'))"
    return
  fi
  if ! command -v dockerd >/dev/null; then
    echo "container engine: installing docker.io from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    sudo_if_needed apt-get update -qq
    sudo_if_needed apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null
  fi
  mkdir -p "$STATE/data" "$STATE/exec"
  # No bridge and no iptables: containers get the host's network (--network host) or none.
  sudo_if_needed dockerd --data-root="$STATE/data" --exec-root="$STATE/exec" --pidfile="$STATE/exec/dockerd.pid" \
    -H "$SOCKET" --storage-driver=overlay2 \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do engine_answers && break; sleep 0.2; done
  if ! engine_answers; then
    echo "container engine: dockerd did not answer; its log:" >&2
    cat "$STATE/dockerd.log" >&2
    exit 1
  fi
  # dockerd's own pid (from its pidfile: $! would be a subshell's), for `down`.
  cp "$STATE/exec/dockerd.pid" "$STATE/started.pid"
  echo "container engine: dockerd $(docker -H "$SOCKET" version --format '{{.Server.Version}}') started (pid $(cat "$STATE/started.pid"))"
}

base_image() {
  local tag=$1 node root lib
  node=$(readlink -f node_modules/node/bin/node)
  [ -x "$node" ] || { echo "no node_modules/node/bin/node: run npm install first" >&2; exit 1; }
  command -v busybox >/dev/null || sudo_if_needed apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,usr/bin,usr/local/bin,etc/ssl/certs,tmp,root,home/node}
  chmod 1777 "$root/tmp"
  cp "$node" "$root/usr/local/bin/node"
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
  cp "$(readlink -f "$(command -v busybox)")" "$root/bin/busybox"
  for applet in $(busybox --list); do [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"; done
  ln -s /bin/busybox "$root/usr/bin/env"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
  chown 1000:1000 "$root/home/node"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
  tar -C "$root" -c . | docker -H "$SOCKET" import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'CMD ["node"]' - "$tag" >/dev/null
  rm -rf "$root"
  echo "base image: $tag ($("$node" --version), $(docker -H "$SOCKET" image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

down() {
  [ -f "$STATE/started.pid" ] || return 0
  local pid
  pid=$(cat "$STATE/started.pid")
  rm -f "$STATE/started.pid"
  # Only that dockerd: not a process that got its pid since.
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 0
  docker -H "$SOCKET" ps -aq --filter label=org.testcontainers=true | xargs -r docker -H "$SOCKET" rm -f >/dev/null 2>&1 || true
  sudo_if_needed kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then echo "container engine: dockerd $pid did not stop" >&2; return 1; fi
  # dockerd leaves this bind mount of the host's network namespace behind (unmounting it under a
  # running dockerd breaks every host-network container it starts).
  sudo_if_needed umount "$STATE/exec/netns/default" 2>/dev/null || true
}

case "${1:-}" in
  up) up ;;
  base-image) base_image "${2:?usage: $0 base-image TAG}" ;;
  down) down ;;
  *) echo "usage: $0 up | base-image TAG | down" >&2; exit 2 ;;
esac
