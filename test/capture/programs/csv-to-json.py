# A Python step: reads a CSV, writes JSON (the interpreter's own imports are
# software dependencies, not data).
import csv
import json

with open("table.csv", newline="") as f:
    rows = list(csv.DictReader(f))
with open("table.json", "w") as f:
    json.dump(rows, f)
