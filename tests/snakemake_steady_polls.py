"""Snakemake's command line with a remote executor's status checks at the interval given on the
command line (`--seconds-between-status-checks`), every time.

The SLURM plugin waits 10 s longer after each check that finds no job finished (up to 3 minutes), which
suits a real queue and leaves a test cluster whose jobs take seconds idle most of the time: a failing
job and its two retries took a minute, the tiny run through the one-node cluster two. The tests run the
real plugin and profile through this launcher; only how often it asks the scheduler changes (where the
executor's interface no longer has the attribute, nothing is changed and the checks back off as usual).

    python tests/snakemake_steady_polls.py SNAKEMAKE_ARGS...
"""

import sys

from snakemake_interface_executor_plugins.executors import remote

checks = getattr(remote.RemoteExecutor, "next_seconds_between_status_checks", None)
if isinstance(checks, property):
    # the plugin's backed-off value is dropped: the getter then answers the command line's interval
    remote.RemoteExecutor.next_seconds_between_status_checks = property(checks.fget, lambda self, value: None)

if __name__ == "__main__":
    from snakemake.cli import main

    sys.exit(main())
