"""One fetch step of a rule (a model, an archive, a file out of an archive), as its own short process:

    python -m weak2strong.fetch_step LOG weak2strong.assets:fetch_vader_archive DEST

calls the named function with the remaining arguments (strings; every fetch function takes paths as
strings too), its logging going to LOG.

Why not a `run:` block: Snakemake runs those by starting a second Snakemake that parses the whole
workflow and builds its DAG again (about 10 s on a 2-core machine, for a step that takes a tenth of
a second), and the default starts with five of them in a row. Why not `script:`: a script file newer
than the fetched files reruns the fetch, so every fresh clone sharing a `resources_dir` would refetch
and make every other run stale. A shell command's text is what Snakemake compares, and it does not
change between clones (the rules name the interpreter by a global of the workflow, `{PACKAGE_PYTHON}`).
"""

from __future__ import annotations

import importlib
import logging
import sys

from .workflow_support import logging_to


def main(argv: list[str]) -> None:
    if len(argv) < 2 or ":" not in argv[1]:
        raise SystemExit("usage: python -m weak2strong.fetch_step LOG MODULE:FUNCTION [ARG ...]")
    log_path, target, *args = argv
    module_name, _, function_name = target.partition(":")
    if module_name != "weak2strong" and not module_name.startswith("weak2strong."):
        raise SystemExit(f"{target}: a fetch step runs a function of this package only")
    function = getattr(importlib.import_module(module_name), function_name)
    from .errors import Weak2StrongError
    from .io import ArtifactError

    with logging_to(log_path):
        try:
            function(*args)
        except (Weak2StrongError, ArtifactError) as exc:  # the input's fault: its message names the fix
            logging.getLogger(__name__).error("%s: %s", type(exc).__name__, exc)
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        except Exception:
            logging.getLogger(__name__).exception("%s failed", target)  # in the rule's log, and on stderr below
            raise


if __name__ == "__main__":
    main(sys.argv[1:])
