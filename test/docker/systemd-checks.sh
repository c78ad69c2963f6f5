# netmon.service under a real systemd: sourced by test/docker/smoke.sh after the
# container checks (needs lib.sh, $SYSTEMD_IMAGE and the namespace with 10.77.0.5 on ens37).
#
# systemd is PID 1 of its own container in the same namespace. It needs CAP_SYS_ADMIN, no
# seccomp filter and a writable cgroup tree to build the unit's sandbox; netmon itself then
# runs with none of that. Checked: start, socket mode, discovery, the sandbox, readiness
# (Type=notify: a unit ordered after netmon.service finds the socket serving), journald
# priorities (journalctl -p warning), restart after SIGKILL, ExecStart finding netmon in
# /usr/local/bin and in /usr/bin, a clean stop.
# shellcheck shell=bash
SD="netmon-systemd-$ID"
SDDIR="$TMP/orch-sd"
mkdir -m 0755 "$SDDIR"
CONTAINERS+=("$SD")
"$DOCKER" run -d --name "$SD" --network=host --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
  --security-opt apparmor=unconfined --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
  --tmpfs /run --tmpfs /run/lock --tmpfs /tmp -v "$SDDIR:/var/orchestrator" "$SYSTEMD_IMAGE" >/dev/null
sdctl() { "$DOCKER" exec "$SD" systemctl "$@"; }
sdsh() { "$DOCKER" exec "$SD" /bin/sh -c "$1"; }
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
journal() { sdsh "journalctl -u netmon.service --no-pager -o cat $*" 2>&1; }
if out=$(unit_active 40); then
  pass "netmon.service starts under systemd"
else
  fail "netmon.service starts under systemd" "$out"
  journal | tail -n 12 | sed 's/^/#   /'
fi
check "netmon.service: socket mode 0666 in the seed's folder" \
  test "$(stat -c '%a %F' "$SDDIR/netmon.sock" 2>&1)" = "666 socket"
sd_discovery() { # sd_discovery FILE: connect for 4 s, then look for the discovery of ens37
  node "$ROOT/test/docker/client.mjs" listen "$SDDIR/netmon.sock" "$1" 4000 &&
    node "$ROOT/test/docker/client.mjs" expect "$1" network_discovery 500 ens37 10.77.0.5 >/dev/null
}
check "netmon.service: a client gets network_discovery with ens37 over its socket" sd_discovery "$TMP/sd-lines"

# Readiness: Type=notify, READY=1 sent by `systemd-notify --ready` once the socket serves
# the first discovery; netmon-consumer.service (After=/Requires=netmon.service) ran
# `netmon health --timeout 500` when systemd started it, while slow-ip.conf held netmon's
# first snapshot back by 2 s.
consumer() {
  local deadline=$((SECONDS + 30)) st
  while st=$(sdctl show -p ActiveState --value netmon-consumer.service 2>&1); [[ $st != active && $st != failed ]]; do
    ((SECONDS >= deadline)) && { echo "netmon-consumer.service is '$st' after 30 s"; return 1; }
    sleep 0.5
  done
  sdsh 'cat /run/netmon-consumer.result' | tail -n 2
  [[ $(sdsh 'tail -n 1 /run/netmon-consumer.result' 2>&1) == served ]]
}
check "netmon.service: Type=notify; a unit ordered after it finds the discovery served when it starts" consumer
notify_props() {
  local got
  got=$(sdctl show -p Type -p NotifyAccess -p Result netmon.service 2>&1 | sort | tr '\n' ' ')
  [[ $got == "NotifyAccess=all Result=success Type=notify " ]] || { echo "got: $got"; return 1; }
}
check "netmon.service: the unit's Type is notify and the manager got READY=1 (no start timeout)" notify_props
# The control: the same consumer after a Type=simple netmon (a runtime drop-in) starts
# before the discovery is served, so the check above can fail.
sdsh 'mkdir -p /run/systemd/system/netmon.service.d &&
  printf "[Service]\nType=simple\n" >/run/systemd/system/netmon.service.d/simple.conf &&
  systemctl daemon-reload && systemctl stop netmon-consumer.service netmon.service &&
  rm -f /run/netmon-consumer.result && systemctl start netmon-consumer.service' >/dev/null 2>&1
simple_control() {
  local r
  r=$(sdsh 'tail -n 1 /run/netmon-consumer.result' 2>&1)
  [[ $r == "not served" ]] || { echo "with Type=simple the consumer recorded '$r'"; return 1; }
}
check "netmon.service: control: with Type=simple the same consumer starts before the discovery is served" simple_control
sdsh 'rm -f /run/systemd/system/netmon.service.d/simple.conf && systemctl daemon-reload && systemctl restart netmon.service' >/dev/null 2>&1
check "netmon.service: back to Type=notify, it is active again" unit_active 30

# Journald priorities: a line over the 64 KiB limit makes netmon log a warning.
node -e '
  const s = require("node:net").createConnection(process.argv[1])
  s.once("data", () => s.write("x".repeat(70000) + "\n"))
  s.on("close", () => process.exit(0)); s.on("error", () => process.exit(1))
  setTimeout(() => process.exit(1), 5000)' "$SDDIR/netmon.sock"
warnings() {
  local w all
  sleep 1
  w=$(journal -p warning)
  all=$(journal)
  grep -q 'over the limit' <<<"$w" || { echo "no 'over the limit' warning in journalctl -p warning: $(tail -n 1 <<<"$w")"; return 1; }
  ! grep -q '"level":"info"' <<<"$w" || { echo "journalctl -p warning shows info lines"; return 1; }
  grep -q '"level":"info"' <<<"$all" || { echo "journalctl shows no info lines at all"; return 1; }
  ! grep -q '^<[0-9]>' <<<"$all" || { echo "the <N> prefix is stored in the message"; return 1; }
}
check "netmon.service: journalctl -p warning shows the warning netmon logged, and no info lines" warnings
sandbox() {
  sdsh 'p=$(systemctl show -p MainPID --value netmon.service)
    grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/$p/status' |
    awk '{ print } /^Cap/ && $2 != "0000000000000000" { bad = 1 } /NoNewPrivs/ && $2 != 1 { bad = 1 }
         /Seccomp/ && $2 != 2 { bad = 1 } END { exit bad || NR != 4 }'
}
check "netmon.service: no capabilities, no_new_privs, a seccomp filter" sandbox
sdsh 'kill -KILL "$(systemctl show -p MainPID --value netmon.service)"'
check "netmon.service: Restart=on-failure brings it back after SIGKILL" unit_active 20 1
check "netmon.service: after the restart (stale socket file) it serves the discovery again" \
  sd_discovery "$TMP/sd-lines2"
# systemctl reload: SIGHUP is a resync, so the same process keeps running and logs it.
reload() {
  local before after
  before=$(sdctl show -p MainPID --value netmon.service)
  sdctl reload netmon.service || { echo "systemctl reload failed"; return 1; }
  sleep 1
  after=$(sdctl show -p MainPID --value netmon.service)
  [[ $before == "$after" && $(sdctl show -p ActiveState --value netmon.service) == active ]] ||
    { echo "main pid $before -> $after, or not active after reload"; return 1; }
  journal | grep -q '"reason":"SIGHUP"' || { echo "no resync with reason SIGHUP in the journal"; return 1; }
}
check "netmon.service: systemctl reload resyncs the same process (SIGHUP), it keeps serving" reload

# ExecStart=netmon: systemd looks the bare name up in its fixed search path when it starts
# the service (`systemctl show` keeps "path=netmon"), so what ran is read from the main
# process: node with the script path netmon was found at, and with the memory flags
# bin/netmon.js starts node with. npm's global prefix is /usr/local (node's own installer,
# the node images) or /usr (Debian's nodejs).
exec_path() { # exec_path WANT: the netmon path the main process was started with
  local got
  got=$(sdsh 'tr "\0" " " </proc/$(systemctl show -p MainPID --value netmon.service)/cmdline' 2>&1)
  [[ " $got" == *" $1 "* && "$got" == "node --optimize-for-size "* ]] || { echo "main process: $got"; return 1; }
}
check "netmon.service: ExecStart=netmon runs node --optimize-for-size ... /usr/local/bin/netmon (npm prefix /usr/local)" exec_path /usr/local/bin/netmon
# No daemon-reload: the lookup happens at each start.
sdsh 'mv /usr/local/bin/netmon /usr/bin/netmon && systemctl restart netmon.service'
check "netmon.service: with netmon in /usr/bin only (npm prefix /usr), it runs /usr/bin/netmon" exec_path /usr/bin/netmon
check "netmon.service: ... and it serves the discovery from there" sd_discovery "$TMP/sd-lines3"
sdctl stop netmon.service >/dev/null 2>&1
check "netmon.service: systemctl stop removes the socket" test ! -e "$SDDIR/netmon.sock"
check "netmon.service: the stop was clean (Result=success)" \
  test "$(sdctl show -p Result --value netmon.service 2>&1)" = success
"$DOCKER" stop -t 10 "$SD" >/dev/null 2>&1
