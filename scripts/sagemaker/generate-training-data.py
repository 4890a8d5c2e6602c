#!/usr/bin/env python3
"""Writes the small, seeded classification data set the local-training tests train on.

    python3 scripts/sagemaker/generate-training-data.py [out_dir]

Two features drawn from a standard normal, a label drawn from a logistic model
P(label = 1) = sigmoid(2.0 * x1 - 1.5 * x2 + 0.3), so a logistic regression reaches about 0.8-0.9 accuracy.
train.csv has 240 rows, test.csv 80. The default output is test/fixtures/sagemaker/train_data/.
"""
import os
import sys

import numpy as np

WEIGHTS = np.array([2.0, -1.5])
BIAS = 0.3


def sample(rng, rows):
    features = rng.standard_normal((rows, 2))
    probability = 1.0 / (1.0 + np.exp(-(features @ WEIGHTS + BIAS)))
    labels = (rng.uniform(size=rows) < probability).astype(int)
    return features, labels


def write(path, features, labels):
    with open(path, "w") as out:
        out.write("x1,x2,label\n")
        for (x1, x2), label in zip(features, labels):
            out.write(f"{x1:.6f},{x2:.6f},{label}\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "fixtures", "sagemaker", "train_data")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20240607)
    write(os.path.join(out_dir, "train.csv"), *sample(rng, 240))
    write(os.path.join(out_dir, "test.csv"), *sample(rng, 80))
    print(f"wrote {out_dir}/train.csv and test.csv")


if __name__ == "__main__":
    main()
