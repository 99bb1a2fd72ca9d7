# weak2strong: weak-to-strong generalization experiments (Burns et al., 2023), end to end.
# Reads like a table of contents: config and its validation, one include per step, the targets.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/train.smk"


# each experiment family's rules (src/weak2strong/families/registry.py: FAMILIES), where it adds rules
for family in FAMILIES.values():
    if family.rules:

        include: family.rules


include: "workflow/rules/metrics.smk"
include: "workflow/rules/figures.smk"


TARGETS = all_targets()
# A result replaced by a folder would count as done ("Nothing to be done"): stop and name it instead.
check_no_folder_where_a_file_belongs(TARGETS)


rule all:
    default_target: True
    input:
        TARGETS,
