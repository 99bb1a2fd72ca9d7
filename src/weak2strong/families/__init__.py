"""Experiment families: the settings beside the NLP core (bootstrapping, chess, easy-to-hard, generative
fine-tuning, reward modelling, simulated supervisors, prompting, vision), each registered by one line of ``FAMILIES``
(``families/registry.py``).

A family is a config block the core plan does not read (or, for reward modelling, a kind of dataset:
its plan exists when the config has comparison datasets; for GFT, a model's ``gft`` block). Its line in ``families/registry.py`` names,
as absolute ``"weak2strong.<module>:<object>"`` declarations (``registry.load`` imports them by name, so
the table and the planning that reads it import no torch; the table lives in its own module, which no
job imports, so a job's code hash never reaches every family's plan):

- ``plan``: ``(config, plan) -> its plan object or None`` (None: the config has no such block). It
  checks the block against the core plan and raises ``ConfigError`` naming the key and the fix;
- ``rules``: its Snakemake rules file (relative to the repository), included by the Snakefile, if it adds
  rules (reward modelling adds none: the core's rules train and score its comparison datasets);
- ``schema``: the JSON schema of its block, with its defaults (the core schema leaves the block to it;
  ``config_schema.with_schema_defaults`` gives a plan built without Snakemake's validation the same defaults);
- ``figures``: its ``figures.FigureSpec`` list, when it draws figures of its own (a figure's job
  hashes the module that draws it: the figure rule's ``figure_code``);
- ``tables``: its ``FamilyTables``, when it writes generated blocks of the docs (``readme_tables.py``
  renders them beside the core's).

The plan object is a ``FamilyPlan``: it says which files a default run builds (``targets``), which
figures it makes possible (``needs``), which losses its students train with (``student_losses``:
each gets its own code hash), and the files and context its figures read.

**The contract with the tables** (one of two, per family):
1. emit cells into the summary: ``summary_cells`` returns cells in the core's form (``Plan.cell_files``,
   with ``supervisor`` naming the family's kind), and the core's ``metrics`` job computes their
   accuracies, PGR and intervals with every other cell (simulated supervisors, prompting); or
2. write its own table (``results/metrics/<name>.csv`` and ``.parquet``) with ``metrics.summarize_cells``
   (the builder of the core's summary: t-intervals over seeds, PGR of means with Fieller's interval),
   so its intervals are the core's, and list it in ``targets`` (chess, easy-to-hard, vision).

A new family is a folder ``families/<name>/`` (its plan, steps, rules, scripts, schema and figures:
vision is the example) and a line in ``families/registry.py``, ``Family.in_folder(name, plan function)``, which
derives every declaration from the folder's layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Family:
    name: str  # its config block's key (a family switched on by the datasets has none), and its key in Plan.families
    plan: str  # "weak2strong.<module>:<function>"
    rules: str | None = None  # its rules file, relative to the repository, if it adds rules
    schema: str | None = None  # its block's JSON schema (relative to the repository), if it has a block
    figures: str | None = None  # "weak2strong.<module>:<list of FigureSpec>", if it draws figures of its own
    tables: str | None = None  # "weak2strong.<module>:<FamilyTables>", if it writes generated blocks of the docs
    removable: tuple[str, ...] = ()  # mappings of its block whose entries an overlay may remove with null ("chains")

    @classmethod
    def in_folder(cls, name: str, plan: str, rules: bool = True, schema: bool = True, figures: bool = True,
                  tables: bool = True, removable: tuple[str, ...] = ()) -> Family:
        """A family laid out as ``families/<name>/``: ``plan.py`` (its function ``plan``), and, as it has
        them, ``rules.smk``, ``schema.yaml``, ``figures.py`` (``FIGURES``) and ``tables.py`` (``TABLES``)."""
        module, folder = f"weak2strong.families.{name}", f"src/weak2strong/families/{name}"
        return cls(name, f"{module}.plan:{plan}", f"{folder}/rules.smk" if rules else None,
                   schema=f"{folder}/schema.yaml" if schema else None,
                   figures=f"{module}.figures:FIGURES" if figures else None, tables=f"{module}.tables:TABLES" if tables else None,
                   removable=removable)


@dataclass(frozen=True)
class FamilyTables:
    """A family's generated blocks of the docs (its ``tables.py``)."""

    # (a run's results folder, the benchmarks' rows folder, the headline dataset (listed first), the headline
    # (weak, strong) pair) -> block -> text
    blocks: Callable[[Path, Path | None, str | None, tuple[str, str] | None], dict[str, str]]
    results_blocks: tuple[str, ...] = ()  # the blocks drawn from results/metrics (their tables are kept beside the docs)
    metric_files: tuple[str, ...] = ()  # the files of results/metrics those blocks read


class FamilyPlan:
    """What the workflow asks of a family's plan (the defaults suit a family that adds nothing)."""

    @property
    def needs(self) -> set[str]:
        """The figures' ``needs`` this plan satisfies (figures.FigureSpec.needs)."""
        return set()

    def models_used(self, dataset: str) -> set[str]:
        """Models of the experiment its jobs train or read on ``dataset`` (with a regime on features, the
        core keeps their features among the run's artefacts; the cost counts them)."""
        return set()

    def flops(self, dataset: str, tokens: dict, params: dict, seeds: int, epochs: float, train_factor, sizes: dict) -> dict:
        """Training and prediction FLOPs of its rules on ``dataset`` when the regime trains the models
        ({rule: [train, predict]}; cost.py): ``tokens`` and ``params`` per model, ``train_factor(model)``
        FLOPs per parameter and token of a training step, ``sizes`` the dataset's splits."""
        return {}

    def features_inputs(self, dataset: str, models: list) -> dict:
        """Files the core's extraction of these models' features (``ModelSpec``s sharing one features file)
        reads besides the models' own, by input name (a GFT adapter)."""
        return {}

    def student_losses(self) -> list[str]:
        """Losses its students train with beyond experiment.losses (each gets its own code hash)."""
        return []

    def targets(self, plan) -> list[str]:
        """The files a default run builds for this family: its tables and every file they are made from."""
        return []

    def summary_cells(self, plan) -> list[dict]:
        """Cells it adds to summary.csv, in the core's form (plan.cell_files)."""
        return []

    def figure_inputs(self) -> dict[str, str]:
        """Tables its figures read, by input kind (figures.FigureSpec.inputs)."""
        return {}

    def figure_context(self, figure: str) -> dict:
        """What figure ``figure`` needs from this plan besides its data."""
        return {}
