#!/usr/bin/env bash
# A one-node Slurm for the sharded-run tests (issue 17, docs/cluster.md): `slurm.sh up` installs
# Debian's slurmctld, slurmd, slurm-client and munge when missing, writes a configuration for this
# machine (its cores, no cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none), starts
# munged, slurmctld and slurmd in the background and waits for the node to be idle; `slurm.sh down`
# stops them. Everything it writes lives under $IQA_SLURM_STATE (default /tmp/iqa-slurm) and
# /etc/slurm/slurm.conf. On any failure `up` writes the reason to $IQA_SLURM_STATE/unavailable and
# exits 0: the Slurm tests then skip saying why, and the other tests run as usual.
set -uo pipefail
STATE="${IQA_SLURM_STATE:-/tmp/iqa-slurm}"
REASON="$STATE/unavailable"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

fail() {
  echo "slurm: not available: $*" >&2
  echo "$*" >"$REASON"
  exit 0
}

up() {
  mkdir -p "$STATE"
  rm -f "$REASON"
  if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    timeout 600 $SUDO apt-get update -qq >"$STATE/apt.log" 2>&1 || fail "apt-get update failed (see $STATE/apt.log)"
    DEBIAN_FRONTEND=noninteractive timeout 900 $SUDO apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >>"$STATE/apt.log" 2>&1 \
      || fail "apt-get install slurmctld slurmd slurm-client munge failed (see $STATE/apt.log)"
  fi
  local host cpus
  host="$(hostname -s)"
  cpus="$(nproc)"
  $SUDO mkdir -p /etc/slurm /run/munge /var/log/munge /var/lib/munge "$STATE/ctld" "$STATE/d" "$STATE/log"
  if [ ! -s /etc/munge/munge.key ]; then
    $SUDO mkdir -p /etc/munge
    ($SUDO mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none) || fail "cannot create /etc/munge/munge.key"
  fi
  $SUDO chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null
  $SUDO chmod 0700 /etc/munge; $SUDO chmod 0400 /etc/munge/munge.key; $SUDO chmod 0755 /run/munge
  : >"$STATE/started"
  if ! pgrep -x munged >/dev/null 2>&1; then
    $SUDO -u munge /usr/sbin/munged 2>"$STATE/log/munged.err" || $SUDO /usr/sbin/munged --force 2>>"$STATE/log/munged.err" || fail "munged did not start ($(tail -1 "$STATE/log/munged.err"))"
    echo munged >>"$STATE/started"
  fi
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || fail "munge does not work (munge -n | unmunge failed)"
  $SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Written by .ci/slurm.sh: a one-node cluster for the tests; no cgroups, no accounting.
ClusterName=iqa-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=3600
SlurmdTimeout=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  if ! pgrep -x slurmctld >/dev/null 2>&1; then
    $SUDO slurmctld -i >"$STATE/log/slurmctld.out" 2>&1 || fail "slurmctld did not start ($(tail -1 "$STATE/log/slurmctld.log" 2>/dev/null))"
    echo slurmctld >>"$STATE/started"
  else
    $SUDO scontrol reconfigure >/dev/null 2>&1
  fi
  if ! pgrep -x slurmd >/dev/null 2>&1; then
    $SUDO slurmd >"$STATE/log/slurmd.out" 2>&1 || fail "slurmd did not start ($(tail -1 "$STATE/log/slurmd.log" 2>/dev/null))"
    echo slurmd >>"$STATE/started"
  fi
  local state=""
  for _ in $(seq 1 60); do
    state="$(sinfo -h -n "$host" -o %T 2>/dev/null | head -1)"
    case "$state" in idle*|mixed*|allocated*) break ;; esac
    # A node left down or drained by an earlier run comes back.
    case "$state" in down*|drain*) $SUDO scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 ;; esac
    sleep 1
  done
  case "$state" in idle*|mixed*|allocated*) ;; *) fail "the node $host is '${state:-unknown}' after 60 s (see $STATE/log/slurmd.log and slurmctld.log)" ;; esac
  echo "slurm: one node $host with $cpus CPUs is $state (logs in $STATE/log)" >&2
}

# Stops the daemons `up` started (by their pid files), not ones that were running before it.
down() {
  [ -f "$STATE/started" ] || return 0
  grep -qx slurmd "$STATE/started" && [ -s "$STATE/slurmd.pid" ] && $SUDO kill "$(cat "$STATE/slurmd.pid")" 2>/dev/null
  grep -qx slurmctld "$STATE/started" && [ -s "$STATE/slurmctld.pid" ] && $SUDO kill "$(cat "$STATE/slurmctld.pid")" 2>/dev/null
  grep -qx munged "$STATE/started" && [ -s /run/munge/munged.pid ] && $SUDO kill "$(cat /run/munge/munged.pid)" 2>/dev/null
  rm -f "$STATE/started"
  return 0
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
