"""Change one thing, rerun only that: dry runs against the finished tiny workflow.

Each case writes a changed config (or edits a copy of the library) and asserts exactly which rules a
dry run would execute. Nothing is executed, so the cases do not disturb each other.
"""

import copy
import shutil
from pathlib import Path

import pytest

from workflow_helpers import REPO, planned_figures, planned_jobs, tiny_config

pytestmark = pytest.mark.slow

# the tiny run's figures drawn from the summary (the easy-to-hard figure is counted with its study below)
FIGURES = {f"figure:{name}": 1 for name in planned_figures(tiny_config(Path("reviews.jsonl"), Path("resources")))
           if name != "easy_to_hard"}
AGGREGATES = {"metrics": 1, **FIGURES, "all": 1}
# the easy-to-hard study: its cells (one per training set: the cutoff, all, hard), their table and figure
E2H_CELLS = {"easy_to_hard": 3, "easy_to_hard_table": 1, "figure:easy_to_hard": 1}
E2H_ALL = {"difficulty": 1, **E2H_CELLS}  # and the difficulty, which trains probes of every model
# the simulated supervisors (a feature-subset probe on the student's features, two kinds of flips matched to it)
SIMULATED = {"simulate_supervisor": 3}
SIM_STUDENTS = 3  # one xent student per simulated supervisor


def test_no_op_rerun_does_nothing(workflow_run):
    workdir, config = workflow_run
    assert planned_jobs(workdir, config) == {}


def test_loss_option_reruns_only_that_loss_students(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["losses"]["logconf"]["alpha_max"] = 0.75
    assert planned_jobs(workdir, changed) == {"train_student": 1, **AGGREGATES}


def test_weak_learning_rate_reruns_weak_labels_and_students_not_ceilings(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["models"]["minilm_l1_short"]["lr"] = 0.003
    assert planned_jobs(workdir, changed) == {"train_weak": 1, "train_student": 2, **AGGREGATES, **E2H_ALL}


def test_strong_model_option_reruns_ceiling_and_students(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["models"]["minilm_l6"]["lr"] = 0.003
    # the feature-subset probe trains with the student's options; the matched flips read its labels
    assert planned_jobs(workdir, changed) == {"train_ceiling": 1, "train_student": 2 + SIM_STUDENTS, **AGGREGATES, **E2H_ALL,
                                              **SIMULATED}


def test_figure_option_reruns_that_figure_alone(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["figures"]["pgr"] = {"ylim": [-1.0, 1.0]}
    assert planned_jobs(workdir, changed) == {"figure:pgr": 1, "all": 1}


def test_choosing_a_figures_methods_reruns_that_figure_alone(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["figures"]["dynamics"] = {"losses": ["logconf"]}
    changed["figures"]["methods"] = {"losses": ["logconf"]}
    assert planned_jobs(workdir, changed) == {"figure:dynamics": 1, "figure:methods": 1, "all": 1}


def test_split_sizes_rerun_splits_and_training_but_not_features(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["datasets"]["reviews"]["split_sizes"]["test"] = 400
    jobs = planned_jobs(workdir, changed)
    assert "extract_features" not in jobs and "prepare_dataset" not in jobs
    assert jobs["split_dataset"] == 3 and jobs["train_weak"] == 1 and jobs["train_student"] == 2 + SIM_STUDENTS
    assert jobs["simulate_supervisor"] == 3


def test_a_simulated_supervisors_option_reruns_it_and_its_students_only(workflow_run):
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["simulated"]["confident_wrong"] = {"confidence": 0.8}
    # the dynamics figure draws the trained weak models' students only
    summary_only = {k: v for k, v in AGGREGATES.items() if k != "figure:dynamics"}
    assert planned_jobs(workdir, changed) == {"simulate_supervisor": 1, "train_student": 1, **summary_only}
    changed["simulated"]["feature_subset"]["k"] = [4, 8]  # a new k: its probe and the flips matched to it, nothing else
    assert planned_jobs(workdir, changed) == {"simulate_supervisor": 4, "train_student": 4, **summary_only}


@pytest.fixture
def workflow_copy(tmp_path):
    """A copy of the workflow and the library, to edit without touching the repository."""
    dest = tmp_path / "repo"
    shutil.copytree(REPO / "workflow", dest / "workflow")
    shutil.copytree(REPO / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(REPO / "profiles", dest / "profiles")
    shutil.copy(REPO / "Snakefile", dest / "Snakefile")
    return dest


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_unedited_copy_of_the_code_reruns_nothing(workflow_run, workflow_copy):
    workdir, config = workflow_run
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {}


def test_editing_one_loss_reruns_only_its_students(workflow_run, workflow_copy):
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/losses.py", "alpha_max: float = 0.5", "alpha_max: float = 0.5  # edited")
    # plots.py imports losses.py (legends follow the registry's order): every figure is redrawn
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {
        "train_student": 1, **AGGREGATES, "figure:easy_to_hard": 1}


def test_editing_a_loss_helper_reruns_every_student(workflow_run, workflow_copy):
    """Helpers are found, not listed: a helper added to losses.py counts for every loss, and so for
    the weak models and ceilings too (they train with xent)."""
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/losses.py", "def make_loss(", "def clipped(p1):\n    return p1.clamp(0, 1)\n\n\ndef make_loss(")
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {
        "train_weak": 1, "train_ceiling": 1, "train_student": 2 + SIM_STUDENTS, **AGGREGATES, **E2H_ALL, **SIMULATED}


def test_editing_the_training_loop_reruns_training_not_features(workflow_run, workflow_copy):
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/training/loop.py", "def lr_factor(", "# edited\ndef lr_factor(")
    jobs = planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile")
    # the loop lives in training/, which features do not depend on
    assert jobs == {"train_weak": 1, "train_ceiling": 1, "train_student": 2 + SIM_STUDENTS, **AGGREGATES, **E2H_ALL, **SIMULATED}


def test_a_helper_edited_in_an_imported_module_reruns_every_step_that_imports_it(workflow_run, workflow_copy):
    """Code dependencies are found from each rule's script, not listed: metrics.py is reached by the
    training steps (label diagnostics), the simulated supervisors (their probes train through the same
    code), the metrics and the figures, so editing it reruns those and not the data or the features."""
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/metrics.py", "def accuracy(", "def rounded(x):\n    return round(x, 4)\n\n\ndef accuracy(")
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {
        "train_weak": 1, "train_ceiling": 1, "train_student": 2 + SIM_STUDENTS, **SIMULATED, **AGGREGATES, **E2H_ALL}


def test_editing_a_caption_reruns_only_that_figure(workflow_run, workflow_copy):
    """A caption is its figure's parameter: editing one redraws that figure alone; a comment in
    figures.py, which no figure job runs, redraws nothing."""
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/figures.py", "CORE_FIGURES: Registry[FigureSpec] = Registry(",
          "# edited\nCORE_FIGURES: Registry[FigureSpec] = Registry(")
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {}
    _edit(workflow_copy / "src/weak2strong/figures.py", '"Performance gap recovered, PGR', '"The performance gap recovered, PGR')
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {"figure:pgr": 1, "all": 1}


def test_editing_plots_reruns_only_figures(workflow_run, workflow_copy):
    workdir, config = workflow_run
    _edit(workflow_copy / "src/weak2strong/plots.py", "def save_figure(", "# edited\ndef save_figure(")
    assert planned_jobs(workdir, config, snakefile=workflow_copy / "Snakefile") == {**FIGURES, "figure:easy_to_hard": 1, "all": 1}


def test_a_deleted_intermediate_file_is_rebuilt_with_what_depends_on_it(workflow_run_copy):
    """Deleting the weak model's labels reruns that weak model, its students and the aggregates;
    the ceiling, the features and the splits stay (before, `all` did not ask for the labels and a
    dry run said "Nothing to be done" while the old summary stood on a missing file)."""
    workdir, config = workflow_run_copy
    (workdir / "results/labels/linear_probe/reviews/minilm_l1_short.parquet").unlink()
    assert planned_jobs(workdir, config) == {"train_weak": 1, "train_student": 2, **AGGREGATES, **E2H_CELLS}
    (workdir / "results/data/reviews/splits/seed1.parquet").unlink()
    jobs = planned_jobs(workdir, config)
    assert jobs["split_dataset"] == 1 and "prepare_dataset" not in jobs and "extract_features" not in jobs
    assert jobs["train_ceiling"] == 1 and jobs["train_weak"] == 1


def test_two_working_directories_sharing_resources_do_not_invalidate_each_other(workflow_run, tmp_path):
    """A second working directory (another clone, another config) with the same `resources_dir`
    must not refetch the shared models (fetch rules used to rerun whenever their script was newer
    than the fetched files), which would make the first directory's whole DAG stale."""
    from workflow_helpers import snakemake

    workdir, config = workflow_run
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.yaml").write_text((workdir / "config.yaml").read_text())
    assert "fetch_model" not in planned_jobs(other, config, name="config.yaml")
    snakemake(other, "results/features/reviews/minilm-l6/layer1-len8.safetensors")  # the cheaper of the two feature files
    assert planned_jobs(workdir, config) == {}


def test_fine_tuning_trains_one_seed_per_job_unless_seeds_in_one_job(workflow_run):
    """Fine-tuning runs one job per seed (collected per cell); ``seeds_in_one_job`` trains every seed
    of a cell in one process instead (cold starts paid once), with no collection step."""
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["experiment"]["regime"] = "finetune"
    changed["regimes"]["finetune"] = {"lr": 1e-4, "batch_size": 16, "epochs": 1}
    per_seed = planned_jobs(workdir, changed)
    cells = 1 + 1 + 2  # the weak labels, the ceiling, two students
    assert (per_seed["train_weak"], per_seed["train_ceiling"], per_seed["train_student"]) == (3, 3, 6)
    assert per_seed["collect_seeds"] == cells
    changed["experiment"]["seeds_in_one_job"] = True
    one_job = planned_jobs(workdir, changed)
    assert (one_job["train_weak"], one_job["train_ceiling"], one_job["train_student"]) == (1, 1, 2)
    assert "collect_seeds" not in one_job


def test_a_model_no_experiment_uses_reruns_only_the_figures_drawn_by_size(workflow_run):
    """Adding a model (for chess or prompting, say) changes the sizes the by-size figures are drawn
    with, and nothing else: not pgr, misfit, methods or any other figure."""
    workdir, config = workflow_run
    changed = copy.deepcopy(config)
    changed["models"]["minilm_l3"] = {"backbone": "minilm-l6", "layer": 3}
    assert planned_jobs(workdir, changed) == {"figure:accuracy_vs_strong": 1, "figure:agreement": 1, "all": 1}
