#!/usr/bin/env bash
# A real single-node SLURM on this Debian machine, to try `--profile slurm` on a workstation and for the
# cluster integration test (tests/test_slurm_cluster.py). Needs root.
#
#   slurm/local_cluster.sh install   # Debian packages: slurm-wlm, slurmdbd, munge, mariadb-server
#   slurm/local_cluster.sh start     # munge, MariaDB + slurmdbd (accounting), slurmctld, slurmd
#   slurm/local_cluster.sh status    # sinfo
#   slurm/local_cluster.sh stop      # only the daemons `start` started, and the jobs of that controller
#
# One node (this machine) in two partitions, `cpu` (the default) and `gpu`, with two fake GPUs
# (GRES backed by /dev/null and /dev/zero: jobs are placed as if the node had GPUs, nothing runs on
# them). No cgroups: memory is what jobs ask for, not a hard limit. Daemons start without systemd.
set -euo pipefail

HOST=$(hostname -s)
CONF=/etc/slurm
LOGS=/var/log/slurm
# The pid of every daemon `start` started, one file each: `stop` stops those and nothing else (a daemon
# that was already running when `start` ran belongs to someone else and is left alone).
STATE=${W2S_CLUSTER_STATE:-/run/w2s-local-cluster}

started() {  # started NAME PID: remember that this script started daemon NAME as process PID
  mkdir -p "$STATE"
  echo "$2" >"$STATE/$1.pid"
}

started_from_pidfile() {  # started_from_pidfile NAME FILE: a daemon that forks writes its own pid file
  for _ in $(seq 30); do [ -s "$2" ] && break; sleep 1; done
  if [ -s "$2" ]; then
    started "$1" "$(cat "$2")"
  else
    echo "warning: $1 wrote no pid file ($2): '$0 stop' will not stop it" >&2
  fi
}

running() {  # process PID exists and is not a zombie waiting for its parent
  local state
  read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
  [ "$state" != Z ]
}

pid_of() {  # the pid of daemon NAME if this script started it and it still runs under that name
  local file="$STATE/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$1" ]; then  # gone, or its pid reused by another program
    rm -f "$file"
    return 1
  fi
  echo "$pid"
}

install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm slurmdbd munge mariadb-server >/dev/null
}

start_munge() {
  mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge
  [ -f /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  if ! pgrep -x munged >/dev/null; then
    rm -f /run/munge/munged.pid
    su -s /bin/sh munge -c "/usr/sbin/munged --force"  # --force: a socket left by a killed daemon
    started_from_pidfile munged /run/munge/munged.pid
  fi
}

start_accounting() {
  mkdir -p /run/mysqld "$LOGS" && chown mysql:mysql /run/mysqld
  if ! pgrep -x mariadbd >/dev/null; then
    mariadbd --user=mysql --bind-address=127.0.0.1 >"$LOGS/mariadb.log" 2>&1 &
    started mariadbd $!
  fi
  for _ in $(seq 60); do mariadb -e "select 1" >/dev/null 2>&1 && break; sleep 1; done
  mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost'; ALTER USER 'slurm'@'localhost' IDENTIFIED BY 'slurm-local';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  cat >"$CONF/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurm-local
StorageLoc=slurm_acct_db
LogFile=$LOGS/slurmdbd.log
PidFile=/run/slurmdbd.pid
EOF
  chmod 600 "$CONF/slurmdbd.conf"
  if ! pgrep -x slurmdbd >/dev/null; then
    rm -f /run/slurmdbd.pid
    slurmdbd
    started_from_pidfile slurmdbd /run/slurmdbd.pid
  fi
  for _ in $(seq 60); do sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 1; done
  sacctmgr -i add cluster w2s >/dev/null 2>&1 || true
}

write_slurm_conf() {
  local mem=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 - 2000 ))
  mkdir -p /var/spool/slurmctld /var/spool/slurmd "$LOGS"
  cat >"$CONF/slurm.conf" <<EOF
ClusterName=w2s
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/none
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
ReturnToService=2
MpiDefault=none
GresTypes=gpu
NodeName=$HOST CPUs=$(nproc) RealMemory=$mem Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$HOST MaxTime=INFINITE State=UP
EOF
  cat >"$CONF/gres.conf" <<EOF
NodeName=$HOST Name=gpu File=/dev/null
NodeName=$HOST Name=gpu File=/dev/zero
EOF
}

start() {
  command -v slurmctld >/dev/null || { echo "slurm-wlm is not installed: run '$0 install' first" >&2; exit 1; }
  start_munge
  start_accounting
  write_slurm_conf
  if ! pgrep -x slurmctld >/dev/null; then
    rm -f /run/slurmctld.pid
    slurmctld
    started_from_pidfile slurmctld /run/slurmctld.pid
  fi
  if ! pgrep -x slurmd >/dev/null; then
    rm -f /run/slurmd.pid
    slurmd
    started_from_pidfile slurmd /run/slurmd.pid
  fi
  for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
  sacctmgr -i add account w2s Cluster=w2s >/dev/null 2>&1 || true
  sacctmgr -i add user root Account=w2s >/dev/null 2>&1 || true
  sinfo
}

stop() {
  local pid stopped=0
  if pid_of slurmctld >/dev/null; then  # the controller is ours, so are the jobs it holds; no one else's
    squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
  fi
  for daemon in slurmd slurmctld slurmdbd mariadbd munged; do  # slurmscriptd ends with its slurmctld
    pid=$(pid_of "$daemon") || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 30); do running "$pid" || break; sleep 1; done
    rm -f "$STATE/$daemon.pid"
    echo "stopped $daemon (pid $pid)"
    stopped=$((stopped + 1))
  done
  [ "$stopped" -gt 0 ] || echo "nothing to stop: no daemon started by '$0 start' is running (pid files: $STATE)"
}

status() {
  command -v sinfo >/dev/null || { echo "SLURM is not installed here (no sinfo on PATH): run '$0 install', then '$0 start'" >&2; exit 1; }
  sinfo || { echo "no SLURM controller answers: run '$0 start'" >&2; exit 1; }
}

usage() { echo "usage: $0 install|start|stop|status (one command, no arguments)" >&2; exit 2; }

[ $# -eq 1 ] || usage
case "$1" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
