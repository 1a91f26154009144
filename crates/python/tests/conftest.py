"""Shared fixtures for the hepatica Python tests.

The tests compare the package with the ``hepatica`` binary of the same
checkout (``HEPATICA_BIN``, default ``target/debug/hepatica``; the test
script builds it). Inputs come from the repository: the contract examples
copied into ``crates/cli/tests/fixtures/contract``, the FHIR test Bundles in
``crates/fhir/tests/fixtures`` and ``hepatica synth`` cohorts.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONTRACT_EXAMPLES = ROOT / "crates" / "cli" / "tests" / "fixtures" / "contract"
FHIR_FIXTURES = ROOT / "crates" / "fhir" / "tests" / "fixtures"

# The test Bundles whose resources point at their Patient as "Patient/p1"
# (the ones bench/make-bulk.js uses too).
BULK_TEMPLATES = [
    "bowel-braf-v600e",
    "bowel-kras-g12c",
    "bowel-msi-high",
    "breast-er-pr-her2",
    "lung-egfr-pdl1",
    "net-pancreas",
    "prostate-bone",
    "unknown-primary",
    "messy-duplicates",
    "messy-unknown-systems",
]


def hepatica_bin() -> Path:
    path = Path(os.environ.get("HEPATICA_BIN", ROOT / "target" / "debug" / "hepatica"))
    if not path.exists():
        pytest.fail(f"the hepatica binary is needed for these tests; build it first (cargo build -p hepatica-cli), looked for {path}")
    return path


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(hepatica_bin()), *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode not in (0, 3):
        raise AssertionError(f"hepatica {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def write_bulk_export(folder: Path, patients: int, seed: int = 7) -> None:
    """A FHIR Bulk Data export folder: the test Bundles repeated with fresh Patient ids,
    one NDJSON file per resource type, resources shuffled across patients as a real export is."""
    folder.mkdir(parents=True, exist_ok=True)
    templates = [(FHIR_FIXTURES / f"{name}.json").read_text() for name in BULK_TEMPLATES]
    by_type: dict = {}
    for i in range(patients):
        pid = f"bulk-{i:05d}"
        bundle = json.loads(templates[i % len(templates)].replace('"Patient/p1"', f'"Patient/{pid}"'))
        for entry in bundle.get("entry", []):
            r = entry.get("resource")
            if not r or "resourceType" not in r:
                continue
            if r["resourceType"] == "Patient":
                r["id"] = pid
            elif "id" in r:
                r["id"] = f"{r['id']}-{i}"
            by_type.setdefault(r["resourceType"], []).append(json.dumps(r))
    rng = random.Random(seed)
    for rtype, lines in by_type.items():
        if rtype != "Patient":
            rng.shuffle(lines)
        (folder / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def cohort(tmp_path_factory) -> Path:
    """2,000 synthetic cases, 3% deliberately invalid."""
    path = tmp_path_factory.mktemp("cohort") / "cohort.ndjson"
    run_cli("synth", "--count", "2000", "--seed", "19", "--invalid-rate", "0.03", "--output", str(path))
    return path


@pytest.fixture(scope="session")
def bulk_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bulk") / "export"
    write_bulk_export(folder, 60)
    return folder


def read_ndjson(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
