"""Derives penguins.csv, the sample the example workflows validate and train on, from vega-datasets' penguins.json
(Palmer Archipelago penguins, 344 birds; installed with the repository's dev dependencies).

Run from the repository root:  python3 workflows-examples/data/derive_penguins_csv.py

Columns get snake_case names with their unit, so rules and scripts need no quoting. Missing values stay empty fields
(two birds were not measured, eleven have no sex): validation should see the data as it is. The one sex recorded as
"." is a data-entry placeholder and becomes empty too, as the dataset's curators treat it.
"""
import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "node_modules", "vega-datasets", "data", "penguins.json")
COLUMNS = {
    "species": "Species",
    "island": "Island",
    "beak_length_mm": "Beak Length (mm)",
    "beak_depth_mm": "Beak Depth (mm)",
    "flipper_length_mm": "Flipper Length (mm)",
    "body_mass_g": "Body Mass (g)",
    "sex": "Sex",
}


def cell(value):
    if value is None or value == ".":
        return ""
    return value


def main():
    with open(SOURCE) as f:
        records = json.load(f)
    with open(os.path.join(HERE, "penguins.csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:
            writer.writerow([cell(record[source]) for source in COLUMNS.values()])


if __name__ == "__main__":
    main()
