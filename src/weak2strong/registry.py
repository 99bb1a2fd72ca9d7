"""One registry mechanism: losses, regimes, figures, families and datasets are each a ``Registry`` of
their own spec type, and every ``"module:object"`` declaration is spelled absolutely
(``"weak2strong.training.probe:probe_and_predict"``) and imported by ``load``.

Why declarations and not imports: the tables are read by the plan and the rules before any job runs,
and must not import torch or a study's code to be read; a job imports only what its entry names.
Spelled absolutely, a declaration is one string that provenance (``provenance.py``: a rule's code
hash), the design test (declared edges in the cycle check) and ``load`` all read the same way.

A registry is filled once, where it is defined, and frozen; nothing adds to another module's
registry while it is being imported (lm-evaluation-harness's ``lm_eval/api/registry.py`` is the
anchor: add with a collision error, get with the known names in the error).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Generic, TypeVar

PACKAGE = __name__.partition(".")[0]
T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """Named entries of one kind (``kind`` names it in errors), in the order they were added."""

    def __init__(self, kind: str, entries: Iterable[T] = (), key: Callable[[T], str] = lambda entry: entry.name):
        self.kind = kind
        self._key = key
        self._entries: dict[str, T] = {}
        self._frozen = False
        for entry in entries:
            self.add(entry)

    @classmethod
    def named(cls, kind: str, entries: Mapping[str, T]) -> Registry[T]:
        """A registry of entries that do not carry their own name (the loss classes)."""
        registry = cls(kind)
        for name, entry in entries.items():
            registry.add(entry, name)
        return registry

    def add(self, entry: T, name: str | None = None) -> T:
        name = self._key(entry) if name is None else name
        if self._frozen:
            raise RuntimeError(f"the {self.kind} registry is frozen; add '{name}' where it is defined")
        if name in self._entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._entries[name] = entry
        return entry

    def freeze(self) -> Registry[T]:
        self._frozen = True
        return self

    @contextmanager
    def added(self, entry: T, name: str | None = None) -> Iterator[T]:
        """For a test: this registry, frozen or not, with one more entry while the block runs."""
        name = self._key(entry) if name is None else name
        if name in self._entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._entries[name] = entry
        try:
            yield entry
        finally:
            del self._entries[name]

    def names(self) -> list[str]:
        return list(self._entries)

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} '{name}'; known: {', '.join(self._entries)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"


def load(declaration: str):
    """The object an absolute ``"weak2strong.<module>:<object>"`` declaration names (a test may declare
    an object of its own module the same way: ``"test_backends:constant_backend"``)."""
    module, colon, name = declaration.partition(":")
    if not colon or not module or not name.isidentifier() or module.startswith("."):
        raise ValueError(f"declaration '{declaration}': write it as '{PACKAGE}.<module>:<object>'")
    return getattr(importlib.import_module(module), name)
