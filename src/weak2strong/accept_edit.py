"""Accept an edited Parquet artefact: ``python -m weak2strong.accept_edit FILE [FILE ...]``.

A Parquet file of ``results/`` that was changed after its step wrote it stops every step that reads
it (io.read_parquet). Running this records the file's current content as its content; the next
``snakemake`` run then reruns what is made from it (its modification time is newer) on the edit.
"""

import sys

from .io import ArtifactError, accept_edit


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in argv:
        try:
            accept_edit(path)
        except (ArtifactError, FileNotFoundError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 1
        print(f"{path}: edit accepted; rerun snakemake to rebuild what is made from it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
