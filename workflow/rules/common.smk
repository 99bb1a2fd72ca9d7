# Config validation, the experiment plan (the rules' one door to the config), wildcard
# constraints derived from it, the targets, and the paths every step shares.
import functools
import os
import posixpath
import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # the package, also without `pip install -e .`
from weak2strong.assets import (
    BIGBENCH_SHA256,
    BIGBENCH_VERSION,
    MODEL_MANIFEST,
    VADER_FILE,
    VADER_SHA256,
    packaged_pins,
)
from weak2strong.families.registry import FAMILIES, FIGURES
from weak2strong.io import job_origin
from weak2strong.names import NAME_REGEX, SEGMENTS_REGEX
from weak2strong.plan import build_plan
from weak2strong.provenance import declaration_code_hash, loss_code_hash, script_code_hash
from weak2strong.config_check import validate_config
from weak2strong.workflow_support import check_config_files, check_no_folder_where_a_file_belongs

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # packaged models never need the network
# The interpreter running Snakemake, with the package on its path (also without `pip install -e`), for
# the fetch rules' shell commands (fetch_step.py). A global, so that their text, which Snakemake
# compares to decide a rerun, says `{PACKAGE_PYTHON}` and is the same in every clone.
PACKAGE_PYTHON = f"PYTHONPATH={shlex.quote(str(Path(workflow.basedir) / 'src'))} {shlex.quote(sys.executable)}"


check_config_files(workflow.configfiles)  # a key given twice would be dropped by the YAML loader without a word
# an overlay's `key: null` removes what the default defines; the core schema and each family's, one error naming
# key and reason (integers strictly), then Snakemake's validation, which fills in the defaults
validate_config(config, workflow.basedir)
PLAN = build_plan(config)
for warning in PLAN.warnings:
    logger.warning(f"config: {warning}")
RES = PLAN.resources_dir
REGIME = PLAN.regime
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


def script_code(name, per_loss=False, family=None):
    """A rule's ``code`` param: the hash of every library module its script's job can run
    (provenance.py); ``per_loss``: the rule hashes its loss apart (LOSS_CODE). A family's scripts
    sit in ``scripts/`` beside its rules file."""
    folder = SCRIPTS if family is None else Path(workflow.basedir) / Path(FAMILIES[family].rules).parent / "scripts"
    return script_code_hash(folder / f"{name}.py", per_loss)


LOSS_CODE = {
    loss: loss_code_hash(loss) for loss in ["xent", *PLAN.losses, *(loss for f in PLAN.families.values() for loss in f.student_losses())]
}  # editing one loss reruns its students only
FIG_EXT = PLAN.figures.format
# A linear-probe cell costs milliseconds per seed, so one job trains every seed of a cell (Python
# and torch start once). Training the model itself costs minutes to hours per seed, so each seed is
# its own job (it reruns alone, and a cluster runs seeds in parallel); `collect_seeds` gathers them.
# `experiment.seeds_in_one_job` chooses either way (plan.py).
PER_SEED_JOBS = PLAN.per_seed_jobs
FAMILY_CELLS = [c for family in PLAN.families.values() for c in family.summary_cells(PLAN)]  # cells families add to the summary


@functools.lru_cache(maxsize=None)
def origin_of(path):
    """The origin the job that makes ``path`` stamps into it (io.job_origin): the rule whose output
    matches, the wildcards of the match, and its params as Snakemake evaluates them for that job."""
    from snakemake.io import apply_wildcards
    from snakemake.iocontainers import Wildcards

    makers = [r for r in workflow.rules if r.output and r.is_producer(path)]
    if len(makers) != 1:  # the wildcard constraints make every path one rule's (tests/test_artifacts.py)
        raise WorkflowError(f"{path}: made by {len(makers)} rules ({', '.join(r.name for r in makers)}), expected one")
    maker = makers[0]
    wildcards = maker.get_wildcards(path)
    values = {}
    for name, value in maker.params.items():
        if callable(value):  # every param function of the workflow takes the wildcards only
            value = value(Wildcards(fromdict=wildcards)) if name != "origins" else None
        elif isinstance(value, str):
            value = apply_wildcards(value, wildcards)
        elif isinstance(value, list):
            value = [apply_wildcards(v, wildcards) if isinstance(v, str) else v for v in value]
        values[name] = value
    return job_origin(maker.name, wildcards, values)


def input_origins(wildcards, input):
    """A rule's ``origins`` param: the origin each artefact it reads must carry (io.check_origin)."""
    return {path: origin_of(path) for path in input if path.startswith("results/") and path.endswith(ARTEFACT_SUFFIXES)}


ARTEFACT_SUFFIXES = (".parquet", ".safetensors")


def one_of(names):
    """A wildcard matching exactly these names (the plan's), so no path can match two rules."""
    import re

    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# Derived from the plan, as snakemake-workflows derive theirs from the sample sheet.
wildcard_constraints:
    dataset=one_of(PLAN.datasets),
    weak=one_of({*PLAN.models, *(c["weak"] for c in FAMILY_CELLS)}),  # a student's supervisor: a model, or a family's
    strong=one_of(PLAN.models),
    loss=one_of(["xent", *PLAN.losses]),
    seed="[0-9]+",
    layer="[0-9]+",
    length="[0-9]+",
    regime=REGIME,
    backbone=one_of({k for m in PLAN.models.values() for k in (m.backbone.name, m.features_key)}),  # a fine-tuned backbone's features key too


def all_targets():
    """The figures and tables, and every cached artefact they are made from: a deleted
    intermediate file (a weak model's labels, a split) is then rebuilt, with what depends on it,
    instead of the old figures standing on a file that is gone."""
    figures = [name for name, f in FIGURES.items() if f.needs is None or f.needs in PLAN.needs]
    return (
        ["results/metrics/summary.csv", "results/metrics/methods.csv"]
        + [path for family in PLAN.families.values() for path in family.targets(PLAN)]
        + [f"results/figures/{name}.{FIG_EXT}" for name in figures]
        + artefact_targets()
    )


def artefact_targets():
    """Every intermediate file of the plan: pools, splits, features, labels, predictions, curves."""
    out = []
    for d in PLAN.datasets:
        out.append(f"results/data/{d}/examples.parquet")
        out += [f"results/data/{d}/splits/seed{s}.parquet" for s in PLAN.seeds]
        if PLAN.on_features:
            trained = {n for c in PLAN.cells if c.dataset == d for n in (c.weak, c.strong)}
            trained |= {n for family in PLAN.families.values() for n in family.models_used(d)}
            out += [PLAN.features_file(d, n) for n in sorted(trained)]
        cells = {("labels", f"{d}/{c.weak}", f"{d}/weak/{c.weak}") for c in PLAN.cells if c.dataset == d}
        cells |= {("predictions", f"{d}/ceiling/{c.strong}", f"{d}/ceiling/{c.strong}") for c in PLAN.cells if c.dataset == d}
        cells |= {("predictions", PLAN.student_cell(c), PLAN.student_cell(c)) for c in PLAN.cells if c.dataset == d}
        for kind, cell, curves in sorted(cells):
            out.append(f"results/{kind}/{REGIME}/{cell}.parquet")
            if PER_SEED_JOBS:
                out += [f"results/per_seed/{kind}/{REGIME}/{cell}/seed{s}.parquet" for s in PLAN.seeds]
            out += PLAN.curves_files(curves)
    return out


def student_curves():
    """Every student's training-curve files, with the cell they belong to (the metrics read the
    fraction of labels a loss kept from them, the dynamics figure the curves)."""
    return [
        {"dataset": c.dataset, "weak": c.weak, "strong": c.strong, "loss": c.loss, "paths": PLAN.curves_files(PLAN.student_cell(c))}
        for c in PLAN.cells
    ]


def training_input(wildcards, name):
    """What training model `name` needs besides the splits: cached features, or the model files."""
    if PLAN.on_features:
        return {"features": PLAN.features_file(wildcards.dataset, name)}
    return {"model": PLAN.model_files(name)}


# ---- data (data.smk) ----


def dataset_params(wildcards):
    """Everything that defines a dataset's pool (not its split sizes, which change only the splits,
    nor its truncation side, which changes only how models read it)."""
    spec = PLAN.datasets[wildcards.dataset]
    options = {k: v for k, v in PLAN.dataset_options(wildcards.dataset).items() if k not in ("split_sizes", "truncation")}
    return {
        "registry": spec.name,
        "source": spec.source,
        "bigbench_task": spec.bigbench_task,
        "vader_file": spec.vader_file,
        "hub": [spec.hub_path, spec.hub_name, list(spec.hub_splits), spec.hub_revision, spec.hub_data_dir],
        "options": options,
    }


def raw_data_input(wildcards):
    spec = PLAN.datasets[wildcards.dataset]
    if spec.source == "bigbench":
        return f"{RES}/bigbench/{spec.bigbench_task}/task.json"
    if spec.source == "vader":
        return f"{RES}/vader/{spec.vader_file}"
    if spec.source == "local":
        return spec.extra["path"]
    return []


# ---- features (features.smk) ----


def features_models(wildcards):
    """The models of the plan that read these features."""
    return [
        name
        for name, m in PLAN.models.items()
        if m.features_key == wildcards.backbone and m.layer == int(wildcards.layer) and PLAN.read_length(name) == int(wildcards.length)
    ]


def features_model_params(wildcards):
    """Only what the features depend on: the backbone and the layer (not a model's lr or name)."""
    names = features_models(wildcards)
    if not names:
        raise ValueError(
            f"no model in the config uses backbone {wildcards.backbone} at layer {wildcards.layer} " f"reading {wildcards.length} tokens"
        )
    return PLAN.models[names[0]].features_params()


def features_family_inputs(wildcards):
    """Files these features read besides the model, by the families' plans (a GFT adapter; {} mostly)."""
    models = [PLAN.models[n] for n in features_models(wildcards)]
    out = {}
    for family in PLAN.families.values():
        out |= family.features_inputs(wildcards.dataset, models)
    return out


def features_hardware(wildcards):
    """`device_map`, `gpus` and `bf16` for extraction: from the hardware of the models reading these
    features (any of them asking for bf16 or a device map gets it; bf16 true wins over auto)."""
    out = {}
    for name in features_models(wildcards):
        hw = PLAN.hardware(name)
        for key in ("device_map", "gpus", "bf16"):
            if hw.get(key) and not (key == "bf16" and out.get(key) is True):
                out[key] = hw[key]
    return out


def features_gpus(wildcards):
    """Feature extraction of big backbones wants a GPU (all of `gpus` with a `device_map`); small
    encoders are fine on CPUs."""
    hardware = features_hardware(wildcards)
    if hardware.get("device_map"):
        return int(hardware.get("gpus", 1))
    sizes = [PLAN.models[n].backbone.n_params for n in features_models(wildcards)]
    return 1 if sizes and max(sizes) > 200 else 0


# ---- train (train.smk) ----


def cell_output(kind, cell, ext="parquet"):
    """Where a training job writes: the per-cell file, or one file per seed to be collected."""
    if PER_SEED_JOBS:
        return f"results/per_seed/{kind}/{{regime}}/{cell}/seed{{seed}}.{ext}"
    return f"results/{kind}/{{regime}}/{cell}.{ext}"


def cell_log(rule_name, cell, folder="logs"):
    """The log (or, with folder benchmarks/out, the benchmark table) of a training job."""
    parts = [folder, rule_name, "{regime}", cell] + (["seed{seed}"] if PER_SEED_JOBS else [])
    return posixpath.join(*parts) + (".log" if folder == "logs" else ".tsv")


def train_params(step, model):
    """What a training job (train.smk) reads, for the model its wildcard `model` names; its code hash and
    its loss's are the rule's own."""
    return {
        "origins": input_origins,  # the origin each artefact read must carry (io.check_origin)
        "step": step,
        "seeds": job_seeds,
        "model": lambda wc: PLAN.models[getattr(wc, model)].to_dict(),
        "regime": lambda wc: PLAN.train_options(getattr(wc, model), wc.dataset),
        "processes": lambda wc: PLAN.processes(getattr(wc, model)),
        "resources_dir": RES,
    }


def job_seeds(wildcards):
    return [int(wildcards.seed)] if PER_SEED_JOBS else PLAN.seeds


def split_inputs(wildcards):
    return [f"results/data/{wildcards.dataset}/splits/seed{s}.parquet" for s in job_seeds(wildcards)]


def weak_labels_input(wildcards):
    if PER_SEED_JOBS:
        return f"results/per_seed/labels/{wildcards.regime}/{wildcards.dataset}/{wildcards.weak}/seed{wildcards.seed}.parquet"
    return f"results/labels/{wildcards.regime}/{wildcards.dataset}/{wildcards.weak}.parquet"


# ---- metrics (metrics.smk) ----


def metric_cells():
    """Every cell of the summary: the trained weak models', and those the families add (their
    supervisors and baselines)."""
    return [PLAN.cell_files(c) for c in PLAN.cells] + FAMILY_CELLS


# ---- figures (figures.smk) ----


def shown_students(figure):
    """The students a figure shows: its `losses`, else every loss."""
    shown = PLAN.figures.of(figure).get("losses")  # checked against experiment.losses by plan.py
    return [c for c in student_curves() if not shown or c["loss"] in shown]


def figure_code(figure):
    """The figure job's code (plots.py and what it imports), and the module that draws a family's figure."""
    spec = FIGURES[figure]
    return script_code("figure") + (f"+{declaration_code_hash(spec.draw)}" if spec.draw else "")


def figure_inputs(wildcards):
    files = {
        "summary": "results/metrics/summary.parquet",
        "per_seed": "results/metrics/per_seed.parquet",
        "methods": "results/metrics/methods.parquet",
        "curves": lambda: [p for c in shown_students(wildcards.figure) for p in c["paths"]],
    }
    for family in PLAN.families.values():
        files |= family.figure_inputs()
    return {kind: (lambda v: v() if callable(v) else v)(files[kind]) for kind in FIGURES[wildcards.figure].inputs}


def figure_context(wildcards):
    """What a figure needs from the plan besides its data (only that: a figure reruns when its context changes)."""
    context = {}
    if FIGURES[wildcards.figure].by_size:
        context["sizes"] = {name: m.size for name, m in PLAN.models.items()}
    if "curves" in FIGURES[wildcards.figure].inputs:
        context["cells"] = shown_students(wildcards.figure)
    for family in PLAN.families.values():
        if FIGURES[wildcards.figure].needs in family.needs:
            context |= family.figure_context(wildcards.figure)
    return context
