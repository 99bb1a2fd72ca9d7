"""The table of experiment families (one line each; ``families/__init__.py`` says what a line
declares), and every figure the workflow can draw: the core's and each family's.

Its own module, above the families' plans: it names them (declarations), and the package
``families`` that their folders live in must not, or every job of a family would hash every other
family's code (importing ``families.vision.steps`` runs ``families/__init__.py``).
"""

from __future__ import annotations

from ..figures import CORE_FIGURES, FigureSpec
from ..registry import Registry, load
from . import Family

FAMILIES: Registry[Family] = Registry(
    "family",
    [
        Family.in_folder("bootstrap", "bootstrap_plan", tables=False, removable=("chains",)),
        Family.in_folder("chess", "chess_plan"),
        Family.in_folder("easy_to_hard", "easy_to_hard_plan"),
        Family.in_folder("gft", "gft_plan", schema=False, figures=False, tables=False),
        Family.in_folder("reward_modelling", "reward_modelling_plan", rules=False, schema=False),
        Family.in_folder("simulated", "simulated_plan"),
        Family.in_folder("prompting", "prompting_plan"),
        Family.in_folder("vision", "vision_plan"),
    ],
).freeze()


def _every_figure() -> Registry[FigureSpec]:
    figures = Registry("figure", CORE_FIGURES.values())
    for family in FAMILIES.values():
        for spec in load(family.figures) if family.figures else []:
            if spec.name in figures:
                raise ValueError(f"figure '{spec.name}' of family {family.name} is already a figure")
            figures.add(spec)
    return figures.freeze()


FIGURES: Registry[FigureSpec] = _every_figure()


def own_schema_keys() -> set[str]:
    """Config blocks validated by their family's own schema (the core schema leaves them out)."""
    return {name for name, family in FAMILIES.items() if family.schema}
