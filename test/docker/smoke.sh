#!/usr/bin/env bash
# Docker smoke test for Dockerfile.netmon on linux/amd64: `npm run test:docker`.
# (arm64 and arm/v7: test/docker/platforms.sh, with the same checks from lib.sh.)
#
# Builds the image from the unchanged Dockerfile and runs it the way the seed does
# (--network=host, socket folder bind-mounted), without privileges, inside a network
# namespace this script creates; then the old installer's privileged run line, and
# netmon.service under a real systemd. No container registry is needed:
#
#   1. a private dockerd (own data-root, exec-root, pidfile and socket under a fresh temp
#      dir; no bridge, no iptables, no ip_forward) in the host network namespace builds:
#      a debootstrap'd bookworm (tarball cached in $NETMON_SMOKE_CACHE) imported as
#      netmon-base-os:amd64, node + npm from the npm registry and the host CA bundle on
#      top (test/docker/base.Dockerfile), then Dockerfile.netmon with --network=host so
#      apt and npm inside the build reach their registries, then the systemd test image;
#   2. that dockerd is stopped and started again on the same data-root inside the test
#      namespace (nsenter --net=..., not `ip netns exec`, which remounts /sys and hides
#      the cgroup mounts), so a --network=host container sees only the namespace;
#   3. checks (lib.sh's check_unprivileged): healthy, socket mode, no capabilities,
#      discovery over the mounted socket, an address change as network_change, image
#      contents, logs, docker stop (SIGTERM, socket removed); the installer's line
#      (--privileged, --pid=host, a named volume, /dev and /run/udev): healthy,
#      discovery, a change, a clean stop that is not restarted; containers whose daemon
#      cannot serve become unhealthy; netmon.service under systemd (readiness, journald
#      priorities, ExecStart with netmon in /usr/local/bin and in /usr/bin).
#
# Prints one `ok - ` / `not ok - ` line per check and `N passed, N failed` last; exits 1
# on any failure. Needs root. Where the machine cannot host the test (not root, no
# dockerd, no namespaces) it skips with a reason, except under CI=true, where it fails.
# Everything it creates carries the pid and a random number and is removed at the end,
# also on failure (NETMON_SMOKE_KEEP=1 keeps the temp dir for a post-mortem).
# Traffic: none but apt/npm during the build and netlink/Unix sockets in the namespace.
set -uo pipefail
LIB_NAME=smoke
# shellcheck source=test/docker/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "netmon docker smoke test, run $ID"
lib_init
IMAGE="netmon:smoke-$ID"
BASE="netmon-node-base:amd64"

# --- phase 1: build ---------------------------------------------------------------------
t0=$SECONDS
start_build_dockerd
build_base amd64 "$BASE" || finish
build_image linux/amd64 "$IMAGE" "$BASE" "$BASE" || finish
t1=$SECONDS
SYSTEMD_IMAGE="netmon-systemd:smoke-$ID"
ctx="$TMP/systemdctx"
mkdir -p "$ctx" && cp "$ROOT/netmon.service" "$ROOT/test/docker/systemd/"* "$ctx/" &&
  cp "$ROOT/test/docker/systemd.Dockerfile" "$ctx/Dockerfile" ||
  cannot "cannot lay out the systemd image context in $ctx"
if bg timeout 600 "$DOCKER" build --network=host --build-arg "IMAGE=$IMAGE" -t "$SYSTEMD_IMAGE" "$ctx" >"$TMP/systemd-build.log" 2>&1; then
  pass "build the systemd test image (the netmon image plus systemd and netmon.service)"
else
  fail "build the systemd test image (the netmon image plus systemd and netmon.service)" "$(tail -n 1 "$TMP/systemd-build.log")"
  tail_of "$TMP/systemd-build.log"
  SYSTEMD_IMAGE=""
fi
say "systemd image built in $((SECONDS - t1)) s, phase 1 took $((SECONDS - t0)) s"
stop_build_dockerd

# --- phase 2: run, inside the namespace ---------------------------------------------------
t0=$SECONDS
make_namespace

# The old installer's run line, exactly, with a named volume and a name unique to the run.
# Started first: its health is probed every 30 s (the image's HEALTHCHECK), so it becomes
# healthy while the unprivileged checks run. /run/udev is made only if the host has none.
UDEV_MADE=0
remove_udev() { ((UDEV_MADE)) && rmdir /run/udev 2>/dev/null; UDEV_MADE=0; }
if [[ ! -e /run/udev ]]; then
  mkdir /run/udev && UDEV_MADE=1 && CLEANUP_HOOKS+=(remove_udev)
fi
INSTALLER="autonomy_netmon-$ID"
VOL="netmon-orchestrator-$ID"
VOLUMES+=("$VOL")
CONTAINERS+=("$INSTALLER")
INST_LINES="$TMP/lines-installer"
L="installer line (--privileged --pid=host, named volume, /dev, /run/udev)"
# Capabilities the kernel has but this machine's root lacks in its bounding set: runc
# cannot give those to a --privileged container, which then cannot start at all.
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
  NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
  SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
  AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
  PERFMON BPF CHECKPOINT_RESTORE)
missing_caps() {
  local bnd last i out=()
  bnd=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
  last=$(cat /proc/sys/kernel/cap_last_cap)
  for ((i = 0; i <= last && i < ${#CAP_NAMES[@]}; i++)); do
    (((bnd >> i) & 1)) || out+=("${CAP_NAMES[i]}")
  done
  printf '%s\n' "${out[*]}"
}
inst_t0=$(now_ms)
# The line, exactly (the name made unique, a named volume).
if "$DOCKER" run -d --name "$INSTALLER" --network=host --pid=host --privileged --restart unless-stopped -v "$VOL":/var/orchestrator -v /dev:/dev -v /run/udev:/run/udev:ro "$IMAGE" >"$TMP/installer-run.log" 2>&1; then
  pass "$L: the exact docker run line starts the container"
else
  MISSING=$(missing_caps)
  if [[ -n $MISSING ]] && grep -q 'unable to apply caps' "$TMP/installer-run.log"; then
    # Not a defect of the image: no --privileged container at all starts on this machine.
    # The same line with --privileged spelled out as far as this machine allows.
    say "this machine's root lacks CAP_${MISSING// /, CAP_} in its capability bounding set, so runc cannot start"
    say "any --privileged container here ($(tail -n 1 "$TMP/installer-run.log"))."
    say "The installer's line runs with --privileged replaced by --cap-add ALL --cap-drop ${MISSING// /,}"
    say "--security-opt seccomp=unconfined,apparmor=unconfined,systempaths=unconfined; everything else exact."
    "$DOCKER" rm -f "$INSTALLER" >/dev/null 2>&1
    PRIV=(--cap-add ALL)
    for c in $MISSING; do PRIV+=(--cap-drop "$c"); done
    PRIV+=(--security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined)
    L="installer line (--privileged as this machine allows: no ${MISSING// /, }; --pid=host, named volume, /dev, /run/udev)"
    "$DOCKER" run -d --name "$INSTALLER" --network=host --pid=host "${PRIV[@]}" --restart unless-stopped -v "$VOL":/var/orchestrator -v /dev:/dev -v /run/udev:/run/udev:ro "$IMAGE" >"$TMP/installer-run.log" 2>&1
  fi
  check "$L: docker run starts the container" test -n "$("$DOCKER" ps -q -f "name=^$INSTALLER\$" 2>/dev/null)"
fi
if [[ -n $("$DOCKER" ps -aq -f "name=^$INSTALLER\$" 2>/dev/null) ]]; then
  INST_SOCK="$("$DOCKER" volume inspect -f '{{.Mountpoint}}' "$VOL")/netmon.sock"
  listen "$INST_SOCK" "$INST_LINES"
else
  tail_of "$TMP/installer-run.log" 3
  INST_SOCK=""
fi

check_unprivileged linux/amd64 "$IMAGE" 10.77.0.5

if [[ -n $INST_SOCK ]]; then
  check_discovery "$L" "$INST_LINES" "$inst_t0"
  check_healthy "$L" "$INSTALLER" 70
  check "$L: socket in the named volume has mode 0666" test "$(stat -c '%a %F' "$INST_SOCK" 2>&1)" = "666 socket"
  check_change "$L" 10.77.0.6 "$INST_LINES"
  check_stop "$L" "$INSTALLER" "$INST_SOCK"
  sleep 2
  check "$L: --restart unless-stopped does not restart it after docker stop" \
    test "$("$DOCKER" inspect -f '{{.State.Running}} {{.RestartCount}}' "$INSTALLER" 2>&1)" = "false 0"
  stop_clients
fi

# Containers whose daemon cannot serve the socket: the probe must say unhealthy.
SOCKDIR="$TMP/orch-bad"
mkdir -m 0755 "$SOCKDIR" "$TMP/orch-ro"
BADIP="netmon-badip-$ID"
RO="netmon-ro-$ID"
NOSOCK="netmon-nosock-$ID"
FAST=(--health-start-period=2s --health-retries=2)
run_netmon "$BADIP" "$IMAGE" -v "$SOCKDIR:/var/orchestrator" "${FAST[@]}" -- --ip /nonexistent
run_netmon "$RO" "$IMAGE" -v "$TMP/orch-ro:/var/orchestrator:ro" "${FAST[@]}" --
run_netmon "$NOSOCK" "$IMAGE" "${FAST[@]}" -- --no-socket --stdout
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
"$DOCKER" rm -f "$BADIP" "$RO" "$NOSOCK" >/dev/null 2>&1

[[ -n $SYSTEMD_IMAGE ]] && source "$ROOT/test/docker/systemd-checks.sh"
say "phase 2 took $((SECONDS - t0)) s"

finish
