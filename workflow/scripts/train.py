"""One training step for every seed of a job: the weak supervisor, the ceiling, or a student."""
from pathlib import Path

from weak2strong.train_job import JobSpec, run, run_in_processes
from weak2strong.workflow_support import set_threads, setup_logging

setup_logging(snakemake)
set_threads(snakemake)
seeds = [int(s) for s in snakemake.params.seeds]
spec = JobSpec(
    step=snakemake.params.step, seeds=seeds, split_files=dict(zip(seeds, snakemake.input.splits)),
    regime=dict(snakemake.params.regime), model=dict(snakemake.params.model), dataset=snakemake.wildcards.dataset,
    outputs={"table": snakemake.output[0], "curves": snakemake.output.curves}, resources_dir=snakemake.params.resources_dir,
    features_path=snakemake.input.get("features"), processes=int(snakemake.params.processes),
)
if spec.step == "student":
    spec.labels_file, spec.loss, spec.loss_options = snakemake.input.labels, snakemake.wildcards.loss, dict(snakemake.params.loss_options)
if spec.processes > 1:
    run_in_processes(spec, Path(snakemake.log[0]).with_suffix(".job.json"))  # kept with the log, for inspection
else:
    run(spec)
