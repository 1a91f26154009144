"""PySpark in local mode: mapInArrow over an NDJSON cohort and a FHIR Bulk Data export,
row for row equal to `hepatica batch` on the same input."""

from __future__ import annotations

import json
import os
import sys

import pytest

import hepatica
from conftest import read_ndjson, run_cli
from rows import flat, same

import pyspark  # noqa: E402,F401  (the CI step installs it; a missing pyspark fails, it does not skip)
from pyspark.sql import SparkSession  # noqa: E402

from hepatica import spark as hs  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    # Workers run this interpreter (the venv with the wheel), one core per task.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    # Lean settings for CI: two task slots, 1 GB driver (local mode runs the
    # executors in it), two shuffle partitions, no UI, loopback only.
    session = (
        SparkSession.builder.master("local[2]")
        .appName("hepatica-test")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.executorEnv.RAYON_NUM_THREADS", "1")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def rows_of(df):
    rows = [r.asDict() for r in df.collect()]
    valid = [{k: v for k, v in r.items() if k != "errors"} for r in rows if r["errors"] is None]
    invalid = [r for r in rows if r["errors"] is not None]
    return valid, invalid


def by_id(rows):
    return sorted(rows, key=lambda r: r["case_id"])


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory):
    """300 synthetic cases, 5% deliberately invalid, with blank lines as real files have."""
    path = tmp_path_factory.mktemp("spark") / "cohort.ndjson"
    run_cli("synth", "--count", "300", "--seed", "23", "--invalid-rate", "0.05", "--output", str(path))
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:100] + [""] + lines[100:]) + "\n")
    return path


def test_ndjson_cohort_equals_hepatica_batch(spark, small_cohort, tmp_path):
    cohort = small_cohort
    out = tmp_path / "out.ndjson"
    run_cli("batch", "--input", str(cohort), "--output", str(out))
    expected = [flat(line) for line in read_ndjson(out)]
    errors = read_ndjson(tmp_path / "out.ndjson.errors.ndjson")

    # batch needs an `id` per line; a DataFrame row without one is assessed (case_id null).
    no_id = [e for e in errors if [x["pointer"] for x in e["errors"]] == ["/id"]]
    errors = [e for e in errors if e not in no_id]
    df = spark.read.text(str(cohort)).repartition(3)
    valid, invalid = rows_of(hs.assess_ndjson(df))
    assert sum(r["case_id"] is None for r in valid) == len(no_id)
    valid = [r for r in valid if r["case_id"] is not None]
    assert len(valid) == len(expected) > 250
    assert len({r["case_id"] for r in expected}) == len(expected), "case ids are unique, so sorting lines them up"
    got, want = by_id(valid), by_id(expected)
    mismatched = [(a, b) for a, b in zip(got, want) if not same(a, b)]
    assert not mismatched, mismatched[:3]
    assert len(invalid) == len(errors) > 0
    # The invalid rows carry the same pointer lists as batch's errors file.
    canon = lambda errs: json.dumps(errs, sort_keys=True)  # noqa: E731
    assert sorted(canon(json.loads(r["errors"])) for r in invalid) == sorted(canon(e["errors"]) for e in errors)


def test_bulk_export_equals_hepatica_batch(spark, bulk_export, tmp_path):
    out = tmp_path / "bulk.ndjson"
    run_cli("batch", "--input", str(bulk_export), "--output", str(out))
    expected = [flat(line) for line in read_ndjson(out)]
    bundles = hs.bulk_export_bundles(spark, str(bulk_export))
    valid, invalid = rows_of(hs.assess_bundles(bundles))
    assert len(valid) == len(expected) == 60
    got, want = by_id(valid), by_id(expected)
    mismatched = [(a, b) for a, b in zip(got, want) if not same(a, b)]
    assert not mismatched, mismatched[:3]
    assert not invalid
    # Spark's schema is hepatica's.
    assert hs.assess_bundles(bundles).columns == hepatica.COLUMNS


def test_a_pinned_release_is_used_on_the_executors(spark, small_cohort, tmp_path):
    # The oldest embedded release, against `hepatica batch --kb` with it, on the first 60 lines.
    oldest = hepatica.kb_versions()[0]
    assert not oldest["latest"]
    part = tmp_path / "part.ndjson"
    part.write_text("\n".join(small_cohort.read_text().splitlines()[:60]) + "\n")
    out = tmp_path / "pinned.ndjson"
    run_cli("batch", "--input", str(part), "--output", str(out), "--kb", oldest["version"])
    expected = [flat(line) for line in read_ndjson(out)]
    valid, _ = rows_of(hs.assess_ndjson(spark.read.text(str(part)), kb=oldest["version"]))
    valid = [r for r in valid if r["case_id"] is not None]
    got, want = by_id(valid), by_id(expected)
    assert len(got) == len(want) > 40
    mismatched = [(a, b) for a, b in zip(got, want) if not same(a, b)]
    assert not mismatched, mismatched[:3]
