"""PySpark in local mode: mapInArrow over an NDJSON cohort and a FHIR Bulk Data export,
row for row equal to `hepatica batch` on the same input."""

from __future__ import annotations

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
    session = (
        SparkSession.builder.master("local[2]")
        .appName("hepatica-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.executorEnv.RAYON_NUM_THREADS", "1")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .getOrCreate()
    )
    yield session
    session.stop()


def rows_of(df):
    rows = [r.asDict() for r in df.collect()]
    valid = [{k: v for k, v in r.items() if k != "errors"} for r in rows if r["errors"] is None]
    invalid = [r for r in rows if r["errors"] is not None]
    return valid, invalid


def by_id(rows):
    return sorted(rows, key=lambda r: r["case_id"])


def test_ndjson_cohort_equals_hepatica_batch(spark, cohort, tmp_path):
    out = tmp_path / "out.ndjson"
    run_cli("batch", "--input", str(cohort), "--output", str(out))
    expected = [flat(line) for line in read_ndjson(out)]
    errors = read_ndjson(tmp_path / "out.ndjson.errors.ndjson")

    df = spark.read.text(str(cohort)).repartition(3)
    valid, invalid = rows_of(hs.assess_ndjson(df))
    assert len(valid) == len(expected) > 1900
    assert len({r["case_id"] for r in expected}) == len(expected), "case ids are unique, so sorting lines them up"
    got, want = by_id(valid), by_id(expected)
    mismatched = [(a, b) for a, b in zip(got, want) if not same(a, b)]
    assert not mismatched, mismatched[:3]
    assert len(invalid) == len(errors) > 0


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
