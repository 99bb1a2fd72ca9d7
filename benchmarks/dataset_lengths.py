"""How long each registry dataset's texts are, in a model's tokens: which `max_length` it needs.

For every dataset (default: the whole registry) it loads the records as the workflow does (BIG-bench
tasks from the archive in `resources/` where it is at hand, the VADER sets from their archive, hub
datasets through `datasets`: on a machine without the hub or its cache these rows say "not
measured"), builds the balanced pool, and measures the token counts
of its texts (a sample of up to `--sample`) with a tokenizer: p50, p95, and the share longer than
128 and 512 tokens.

    python benchmarks/dataset_lengths.py [--tokenizer resources/models/minilm-l6] [--datasets boolq sciq ...]

Writes benchmarks/out/dataset_lengths.csv, which `make readme` turns into the README's dataset table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from weak2strong.assets import VADER_FILE, extract_bigbench_task, extract_vader_file, fetch_vader_archive  # noqa: E402
from weak2strong.data.prepare import build_examples, load_records  # noqa: E402
from weak2strong.data.registry import DATASETS  # noqa: E402
from weak2strong.data.splits import sample_pool  # noqa: E402


def measure(name: str, archive: Path, tokenizer, sample: int, tmp: Path) -> dict:
    spec = DATASETS[name]
    row = {"dataset": name, "source": spec.source, "hub_id": spec.hub_path or spec.bigbench_task or spec.vader_file,
           "description": spec.description}
    try:
        task_file = None
        if spec.source == "bigbench":
            task_file = tmp / spec.bigbench_task / "task.json"
            extract_bigbench_task(archive, spec.bigbench_task, task_file)
        if spec.source == "vader":
            vader = ROOT / "resources/downloads" / VADER_FILE
            if not vader.exists():
                fetch_vader_archive(vader)
            task_file = tmp / spec.vader_file
            extract_vader_file(vader, spec.vader_file, task_file)
        records = load_records(spec, task_file)
        if spec.combine is not None:
            records = spec.combine(records, __import__("random").Random(0))
        pool = sample_pool(build_examples(spec, records, seed=0), None, seed=0)
    except Exception as exc:  # offline hub datasets: reported, not fatal
        return row | {"status": f"not measured: {type(exc).__name__}"}
    texts = pool["text"].sample(min(sample, len(pool)), random_state=0).tolist()
    lengths = np.array([len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]])
    return row | {"pool": len(pool), "groups": int(pool["group"].nunique()), "tokens_p50": int(np.percentile(lengths, 50)),
                  "tokens_p95": int(np.percentile(lengths, 95)), "over_128": float((lengths > 128).mean()),
                  "over_512": float((lengths > 512).mean()), "status": "measured"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="*", default=sorted(DATASETS))
    ap.add_argument("--tokenizer", default=str(ROOT / "resources/models/minilm-l6"))
    ap.add_argument("--archive", default=str(ROOT / "resources/downloads/bigbench-1.0.0.tar.gz"))
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/out/dataset_lengths.csv"))
    args = ap.parse_args()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name in args.datasets:
            rows.append(measure(name, Path(args.archive), tokenizer, args.sample, Path(tmp)))
            print({k: v for k, v in rows[-1].items() if k != "description"}, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(rows)
    table.insert(len(table.columns) - 1, "tokenizer", Path(args.tokenizer).name)
    table.to_csv(args.out, index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
