# Simulated weak supervisors (steps.py beside this file; its plan: plan.py): label transformations that write the
# same label Parquet as a trained weak model, so the ordinary students, ceiling and metrics use
# them unchanged. A supervisor matched to a feature_subset one reads that one's labels (it copies
# their error rate, per seed and split); a change to one supervisor's options reruns it and its
# students only.

SIM = PLAN.families.get("simulated")  # plan.SimulatedPlan; None without a simulated block


if SIM:

    rule simulate_supervisor:
        input:
            unpack(lambda wc: SIM.inputs(PLAN, wc.dataset, wc.supervisor)),
        output:
            labels="results/labels/{regime}/{dataset}/{supervisor}.parquet",
        log:
            "logs/simulate_supervisor/{regime}/{dataset}/{supervisor}.log",
        wildcard_constraints:
            supervisor=one_of(SIM.supervisors),
        params:
            origins=input_origins,  # the origin each artefact read must carry (io.check_origin)
            supervisor=lambda wc: SIM.supervisors[wc.supervisor].to_dict(),
            seeds=PLAN.seeds,
            regime=PLAN.train_options(SIM.student),
            code=script_code("simulate_supervisor", per_loss=True, family="simulated"),
            loss_code=LOSS_CODE["xent"],
        script:
            "scripts/simulate_supervisor.py"
