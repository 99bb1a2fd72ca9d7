#!/usr/bin/env bash
# A real single-node SLURM on this Debian machine, to try `--profile slurm` on a workstation and for the
# cluster integration test (tests/test_slurm_cluster.py). Needs root.
#
#   slurm/local_cluster.sh install   # Debian packages: slurm-wlm, slurmdbd, munge, mariadb-server
#   slurm/local_cluster.sh start     # munge, MariaDB + slurmdbd (accounting), slurmctld, slurmd
#   slurm/local_cluster.sh status    # sinfo
#   slurm/local_cluster.sh stop
#
# One node (this machine) in two partitions, `cpu` (the default) and `gpu`, with two fake GPUs
# (GRES backed by /dev/null and /dev/zero: jobs are placed as if the node had GPUs, nothing runs on
# them). No cgroups: memory is what jobs ask for, not a hard limit. Daemons start without systemd.
set -euo pipefail

HOST=$(hostname -s)
CONF=/etc/slurm
LOGS=/var/log/slurm

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
  pgrep -x munged >/dev/null || su -s /bin/sh munge -c "/usr/sbin/munged --force"  # --force: a socket left by a killed daemon
}

start_accounting() {
  mkdir -p /run/mysqld "$LOGS" && chown mysql:mysql /run/mysqld
  pgrep -x mariadbd >/dev/null || (mariadbd --user=mysql --bind-address=127.0.0.1 >"$LOGS/mariadb.log" 2>&1 &)
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
  pgrep -x slurmdbd >/dev/null || slurmdbd
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
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
  sacctmgr -i add account w2s Cluster=w2s >/dev/null 2>&1 || true
  sacctmgr -i add user root Account=w2s >/dev/null 2>&1 || true
  sinfo
}

stop() {
  scancel --user=root 2>/dev/null || true
  for daemon in slurmd slurmctld slurmscriptd slurmdbd mariadbd munged; do
    pkill -x "$daemon" 2>/dev/null || true
    for _ in $(seq 30); do pgrep -x "$daemon" >/dev/null || break; sleep 1; done
  done
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
