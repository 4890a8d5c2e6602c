"""Penguin species from four body measurements: a softmax (multinomial logistic) regression in numpy alone.

Written against SageMaker's training container contract only, so the same file runs on a SageMaker framework image
(scikit-learn images ship numpy) and under the train action's local backend:

- data: the `train` channel, SM_CHANNEL_TRAIN, a folder holding one CSV with a header (workflows-examples/data/
  penguins.csv: species, island, beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g, sex);
- hyperparameters: `--name value` arguments (SageMaker passes them JSON-encoded; numbers read the same either way),
  with SM_HP_<NAME> as the fallback a bare `python train.py` in the container would still see;
- model: model.json (classes, feature standardisation, weights) in SM_MODEL_DIR, which SageMaker packs as
  model.tar.gz;
- evaluation: evaluation.json in SageMaker Pipelines' report style in SM_OUTPUT_DATA_DIR (output.tar.gz);
- metrics: `name=value` lines on stdout, which the job's metric definitions read.

Rows missing a measurement or the species are dropped. A seeded, stratified split keeps `test_fraction` of each
species for the test metrics, so a run is reproducible and the gate compares like with like.
"""
import argparse
import csv
import glob
import json
import os

import numpy as np

FEATURES = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"]
LABEL = "species"
HYPERPARAMETERS = {"epochs": int, "learning_rate": float, "l2": float, "test_fraction": float, "seed": int}
DEFAULTS = {"epochs": 400, "learning_rate": 0.5, "l2": 0.001, "test_fraction": 0.25, "seed": 7}


def decoded(text):
    """A hyperparameter as script mode sends it (JSON: `0.5`, `"0.5"`) or as a person types it."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_hyperparameters():
    parser = argparse.ArgumentParser()
    for name, kind in HYPERPARAMETERS.items():
        fallback = os.environ.get(f"SM_HP_{name.upper()}")
        default = kind(decoded(fallback)) if fallback else DEFAULTS[name]
        parser.add_argument(f"--{name}", type=lambda text, kind=kind: kind(decoded(text)), default=default)
    return parser.parse_args()


def read_channel(channel_dir):
    files = sorted(glob.glob(os.path.join(channel_dir, "*.csv")))
    if not files:
        raise FileNotFoundError(f"no CSV file in the train channel ({channel_dir})")
    features, labels = [], []
    for file in files:
        with open(file, newline="") as f:
            for row in csv.DictReader(f):
                if row[LABEL] and all(row[name] for name in FEATURES):
                    features.append([float(row[name]) for name in FEATURES])
                    labels.append(row[LABEL])
    classes = sorted(set(labels))
    return np.array(features), np.array([classes.index(label) for label in labels]), classes


def stratified_split(labels, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.extend(members[: max(1, round(test_fraction * len(members)))])
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def softmax(scores):
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def macro_f1(truth, predicted, n_classes):
    scores = []
    for c in range(n_classes):
        true_positive = np.sum((predicted == c) & (truth == c))
        denominator = np.sum(predicted == c) + np.sum(truth == c)
        scores.append(2 * true_positive / denominator if denominator else 0.0)
    return float(np.mean(scores))


def main():
    hp = parse_hyperparameters()
    features, labels, classes = read_channel(os.environ["SM_CHANNEL_TRAIN"])
    train, test = stratified_split(labels, hp.test_fraction, hp.seed)
    print(f"rows={len(labels)} train={len(train)} test={len(test)} classes={','.join(classes)}", flush=True)

    # Standardised with the training rows' statistics only, so nothing about the test rows leaks into the model.
    mean, std = features[train].mean(axis=0), features[train].std(axis=0)
    x = (features - mean) / std
    onehot = np.eye(len(classes))[labels]
    weights = np.zeros((len(FEATURES), len(classes)))
    bias = np.zeros(len(classes))
    for epoch in range(1, hp.epochs + 1):
        probability = softmax(x[train] @ weights + bias)
        error = (probability - onehot[train]) / len(train)
        weights -= hp.learning_rate * (x[train].T @ error + hp.l2 * weights)
        bias -= hp.learning_rate * error.sum(axis=0)
        if epoch % 100 == 0 or epoch == hp.epochs:
            loss = -np.mean(np.log(probability[np.arange(len(train)), labels[train]] + 1e-12))
            print(f"epoch={epoch} train_loss={loss:.4f}", flush=True)

    train_accuracy = float(np.mean((x[train] @ weights + bias).argmax(axis=1) == labels[train]))
    predicted = (x[test] @ weights + bias).argmax(axis=1)
    accuracy = float(np.mean(predicted == labels[test]))
    f1 = macro_f1(labels[test], predicted, len(classes))
    print(f"train_accuracy={train_accuracy:.4f}", flush=True)
    print(f"test_accuracy={accuracy:.4f}", flush=True)
    print(f"test_macro_f1={f1:.4f}", flush=True)

    model = {
        "features": FEATURES,
        "classes": classes,
        "mean": mean.tolist(),
        "std": std.tolist(),
        "weights": weights.tolist(),
        "bias": bias.tolist(),
    }
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump(model, f, indent=1)
    report = {"multiclass_classification_metrics": {"accuracy": {"value": accuracy}, "macro_f1": {"value": f1}}}
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "evaluation.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
