"""Print every output and log pattern of every rule as JSON: [{"rule", "pattern", "regex"}].

Run as a script (``python tests/rule_patterns.py WORKDIR CONFIG...``) by test_names.py: loading a
Snakefile in the test process would leave Snakemake's global state behind for the other tests.
"""

import json
import sys
from pathlib import Path

from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

REPO = Path(__file__).resolve().parents[1]

workdir, *configfiles = sys.argv[1:]
with SnakemakeApi(OutputSettings(quiet=True)) as api:
    workflow = api.workflow(resource_settings=ResourceSettings(cores=1),
                            config_settings=ConfigSettings(configfiles=[Path(c) for c in configfiles]),
                            snakefile=REPO / "Snakefile", workdir=Path(workdir))._workflow
    out = [{"rule": rule.name, "pattern": str(f), "regex": f.regex().pattern}
           for rule in workflow.rules for f in [*rule.output, *rule.log]]
print(json.dumps(out))
