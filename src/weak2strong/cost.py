"""What a config will cost, before it runs: ``python -m weak2strong.cost --configfile A.yaml [B.yaml ...]``.

Prints, for the workflow the config plans (Snakemake's own dry run, every job as if nothing were
done): the jobs of each rule and the GPUs each asks for; and, from the plan, the compute of every
training and prediction job in FLOPs, with the usual transformer estimates (Kaplan et al. 2020):

- training: 6·N·tokens (forward 2N, backward 4N); 8·N with gradient checkpointing (the forward is
  recomputed); LoRA: 4·N (no gradients for the frozen weights, only through them), 6·N where it
  checkpoints;
- prediction: 2·N·tokens; feature extraction (linear-probe regimes): 2·N·tokens of the pool;

where N is the model's parameters used (a cut backbone counts its layers: ``n_params`` of the
registry or config) and tokens are examples × tokens per example × epochs. Tokens per example are the
regime's ``max_length`` (an upper bound: batches are padded to their longest text, not to the
window) unless ``--measure`` is given and the dataset's pool (``results/data/<dataset>/examples.parquet``)
is at hand: then the mean measured with the model's tokenizer (from the local cache), capped at the
window. A comparison pair is two texts. GPU-hours = FLOPs / throughput, at ``--tflops`` (achieved, not
peak; default: the training loop's rate measured on a GPU in benchmarks/results/gpu_run.jsonl, where
a row exists, else a stated guess).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MEASURED = REPO / "benchmarks" / "results" / "gpu_run.jsonl"
# Without a measurement: an H100 (989 dense bf16 TFLOP/s) at about a tenth of its peak, a rate small
# GPT-2-class fine-tuning reaches without tuning. Stated wherever it is used.
GUESS_TFLOPS = 100.0


@dataclass
class RuleCost:
    jobs: int = 0
    gpus: Counter = field(default_factory=Counter)  # GPUs asked for -> jobs
    train_flops: float = 0.0
    predict_flops: float = 0.0


def merged_config(paths: list[str]) -> dict:
    """The config Snakemake would see: the files merged key by key in order (snakemake.utils.update_config),
    an overlay's nulls removing entries, defaults filled from the schemas."""
    import yaml
    from snakemake.utils import update_config

    from .config_check import validate_config

    config: dict = {}
    for path in paths:
        update_config(config, yaml.safe_load(Path(path).read_text()) or {})
    return validate_config(config, REPO)


def dry_run_jobs(configfiles: list[str], workdir: Path) -> list[tuple[str, int]]:
    """(rule, GPUs asked for) of every job of the workflow, from Snakemake's dry run with every job forced."""
    cmd = [sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "1", "--snakefile", str(REPO / "Snakefile"),
           "--directory", str(workdir), "--configfile", *configfiles]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the dry run failed:\n{(done.stdout + done.stderr)[-3000:]}")
    jobs, rule = [], None
    for line in done.stdout.splitlines():
        if m := re.match(r"^(?:local)?rule (\w+):", line.strip()):
            rule = m.group(1)
            jobs.append((rule, 0))
        elif rule and line.strip().startswith("resources:"):
            gpu = re.search(r"\bgpu=(\d+)", line)
            jobs[-1] = (rule, int(gpu.group(1)) if gpu else 0)
    return jobs


def tokens_per_example(plan, dataset: str, model: str, window: int, measure: bool, workdir: Path) -> tuple[float, str]:
    """Tokens of one example of ``dataset`` as ``model`` reads it, and how it was found."""
    pool = workdir / "results" / "data" / dataset / "examples.parquet"
    if measure and pool.exists():
        try:
            import pandas as pd
            from transformers import AutoTokenizer

            spec = plan.models[model].backbone
            tokenizer = AutoTokenizer.from_pretrained(spec.hub_id or spec.name, local_files_only=True)
            texts = pd.read_parquet(pool, columns=["text"])["text"].tolist()
            lengths = [min(len(ids), window) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
            return sum(lengths) / max(1, len(lengths)), "measured"
        except Exception as exc:  # no tokenizer offline: the window, said so
            return float(window), f"window (not measured: {type(exc).__name__})"
    return float(window), "window"


def plan_flops(plan, measure: bool = False, workdir: Path = Path(".")) -> tuple[dict[str, list[float]], list[str]]:
    """Training and prediction FLOPs of each training rule of the plan: {rule: [train, predict]}, and notes."""
    from .regimes import REGIMES

    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    notes: list[str] = []
    seeds = len(plan.seeds)
    options = plan.regime_options()
    epochs = float(options["epochs"])  # filled with the schema's default where the block has none
    on_features = REGIMES[plan.regime].on_features
    step_flops = REGIMES[plan.regime].step_flops

    def train_factor(name: str) -> float:
        checkpointing = bool(plan.hardware(name).get("grad_checkpointing")) and not on_features
        return step_flops + (2.0 if checkpointing else 0.0)

    for d in plan.datasets:
        sizes = plan.dataset_options(d)["split_sizes"]
        a, b, t = sizes["train_a"], sizes["train_b"], sizes["test"]
        texts = 2 if plan.datasets[d].pairs else 1
        used = [n for family in plan.families.values() for n in sorted(family.models_used(d))]
        names = plan.ladder + [n for n in dict.fromkeys(used) if n not in plan.ladder]
        per = {}
        for name in names:
            window = plan.models[name].max_length or int(options.get("max_length", plan.features.max_length))
            if on_features:
                window = plan.read_length(name)
            per[name], how = tokens_per_example(plan, d, name, window, measure, workdir)
            per[name] *= texts
            if how != "window" and (d, how) not in notes:
                notes.append(f"{d}: tokens per example {how}")
        n = {name: plan.models[name].size * 1e6 for name in names}
        if on_features:
            pool = sum(sizes.values())
            for name in {m for pair in plan.pairs for m in pair} | set(used):
                out["extract_features"][1] += 2 * n[name] * per[name] * pool
            continue
        for w in plan.weak:
            out["train_weak"][0] += seeds * train_factor(w) * n[w] * per[w] * a * epochs
            out["train_weak"][1] += seeds * 2 * n[w] * per[w] * (b + t)
        strong = sorted({s for _, s in plan.pairs})
        for s in strong:
            out["train_ceiling"][0] += seeds * train_factor(s) * n[s] * per[s] * b * epochs
            out["train_ceiling"][1] += seeds * 2 * n[s] * per[s] * (b + t)
        for w, s in plan.pairs:
            for _ in plan.losses:
                out["train_student"][0] += seeds * train_factor(s) * n[s] * per[s] * b * epochs
                out["train_student"][1] += seeds * 2 * n[s] * per[s] * (b + t)
        for family in plan.families.values():  # the studies' own rules (bootstrapping's chains)
            for rule, (train, predict) in family.flops(d, per, n, seeds, epochs, train_factor, sizes).items():
                out[rule][0] += train
                out[rule][1] += predict
    return dict(out), notes


def measured_tflops() -> tuple[float | None, str]:
    """The training loop's achieved TFLOP/s from benchmarks/gpu_run.py's rows, if any."""
    if not MEASURED.exists():
        return None, ""
    rows = [json.loads(line) for line in MEASURED.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("kind") == "loop" and r.get("variant") == "workflow" and r.get("tflops") and not r.get("smoke")]
    if not rows:
        return None, ""
    best = max(rows, key=lambda r: r.get("n_params", 0))
    return float(best["tflops"]), f"measured: the training loop at {best.get('shape')} on {best.get('device')} ({MEASURED.name})"


def report(configfiles: list[str], tflops: float | None, measure: bool, workdir: Path) -> str:
    from .plan import build_plan

    plan = build_plan(merged_config(configfiles))
    rules: dict[str, RuleCost] = defaultdict(RuleCost)
    for rule, gpus in dry_run_jobs(configfiles, workdir):
        rules[rule].jobs += 1
        rules[rule].gpus[gpus] += 1
    flops, notes = plan_flops(plan, measure, workdir)
    for rule, (train, predict) in flops.items():
        rules[rule].train_flops, rules[rule].predict_flops = train, predict
    source = "given (--tflops)"
    if tflops is None:
        tflops, source = measured_tflops()
        if tflops is None:
            tflops, source = GUESS_TFLOPS, "a guess: an H100 at about 10% of its dense bf16 peak; no GPU measurement in benchmarks/results"
    lines = [f"config: {' + '.join(configfiles)}; regime {plan.regime}; {len(plan.datasets)} datasets, {len(plan.seeds)} seeds, "
             f"{len(plan.pairs)} (weak, strong) pairs, {len(plan.losses)} losses",
             f"throughput: {tflops:g} TFLOP/s per GPU ({source})", "",
             "| rule | jobs | GPUs per job | training FLOPs | prediction FLOPs | GPU-hours |", "|---|---|---|---|---|---|"]
    total = [0, 0.0, 0.0, 0.0]
    for rule in sorted(rules, key=lambda r: -(rules[r].train_flops + rules[r].predict_flops)):
        c = rules[rule]
        gpus = ", ".join(f"{g} ({n})" if len(c.gpus) > 1 else str(g) for g, n in sorted(c.gpus.items()))
        hours = (c.train_flops + c.predict_flops) / (tflops * 1e12) / 3600
        lines.append(f"| {rule} | {c.jobs} | {gpus} | {c.train_flops:.3g} | {c.predict_flops:.3g} | {hours:,.1f} |")
        total = [total[0] + c.jobs, total[1] + c.train_flops, total[2] + c.predict_flops, total[3] + hours]
    lines.append(f"| **total** | {total[0]} | | {total[1]:.3g} | {total[2]:.3g} | {total[3]:,.1f} |")
    tokens = "tokens per example: the window (an upper bound)" if not notes else "; ".join(notes)
    lines += ["", tokens + ". Rules without a FLOPs figure do no model compute worth counting (data, tables, figures)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configfile", nargs="+", default=["config/config.yaml"], help="config files, merged in order")
    parser.add_argument("--tflops", type=float, help="achieved TFLOP/s per GPU (default: measured in benchmarks/results, else a guess)")
    parser.add_argument("--measure", action="store_true", help="measure tokens per example where the pool and tokenizer are at hand")
    parser.add_argument("--directory", type=Path, default=Path("."), help="the working folder (where results/ is)")
    parser.add_argument("--write", type=Path, help="also put the table into this file's <!-- generated:cost --> block (docs/gpu.md)")
    args = parser.parse_args(argv)
    missing = [p for p in args.configfile if not Path(p).exists()]
    if missing:
        parser.error(f"no such config file: {', '.join(missing)}")
    text = report(args.configfile, args.tflops, args.measure, args.directory)
    print(text)
    if args.write:
        from .readme_tables import splice

        args.write.write_text(splice(args.write.read_text(), "cost", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
