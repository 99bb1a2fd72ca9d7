import pandas as pd
import pyarrow.parquet as pq

from weak2strong.io import read_parquet, write_parquet
from weak2strong.workflow_support import setup_logging

setup_logging(snakemake)
tables = [read_parquet(path) for path in snakemake.input]
write_parquet(pd.concat(tables, ignore_index=True), snakemake.output[0], pq.read_schema(snakemake.input[0]).remove_metadata())
