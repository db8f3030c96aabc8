"""Optuna's side of store-throughput: RandomSampler with SQLite storage on the NB201 table.

Usage: optuna_random.py DB_PATH N_TRIALS NB201_CSV. Prints one JSON line {trials_per_s, ...}.
Each trial suggests the 6 edge operations as categoricals and looks its CIFAR-10 accuracy up,
the same work archlab's random strategy does per trial.
"""
import csv
import json
import sys
import time

import optuna

db, n, table_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
with open(table_path) as f:
    table = {row["ArchitectureString"]: float(row["CIFAR10TestAccuracy200Epochs"]) for row in csv.DictReader(f)}


def objective(trial):
    e = [trial.suggest_categorical(f"e{i}", OPS) for i in range(6)]
    key = f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"
    return table[key]


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(
    storage=f"sqlite:///{db}", direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1)
)
t0 = time.perf_counter()
study.optimize(objective, n_trials=n)
seconds = time.perf_counter() - t0
print(json.dumps({"trials_per_s": n / seconds, "seconds": seconds, "best": study.best_value, "optuna": optuna.__version__}))
