"""`hepatica batch --output FILE.parquet`, read back with pyarrow and DuckDB."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq

import hepatica
from conftest import read_ndjson, run_cli
from rows import flat, same


def batch(input_path, out, *extra):
    return run_cli("batch", "--input", str(input_path), "--output", str(out), *extra)


def test_parquet_holds_the_ndjson_rows(cohort, tmp_path):
    batch(cohort, tmp_path / "out.ndjson")
    proc = batch(cohort, tmp_path / "out.parquet")
    assert proc.returncode == 3  # the cohort has invalid lines
    expected = [flat(line) for line in read_ndjson(tmp_path / "out.ndjson")]
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == hepatica.COLUMNS[:-1]
    rows = table.to_pylist()
    assert len(rows) == len(expected) > 1900
    assert all(same(a, b) for a, b in zip(rows, expected))
    # Invalid lines go to the same errors file either way.
    assert (tmp_path / "out.parquet.errors.ndjson").read_text() == (tmp_path / "out.ndjson.errors.ndjson").read_text()


def test_file_metadata_carries_the_knowledge_base(cohort, tmp_path):
    batch(cohort, tmp_path / "out.parquet")
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(tmp_path / "out.parquet").metadata.items()}
    kb = next(v for v in hepatica.kb_versions() if v["latest"])
    assert meta["hepatica.knowledge_base.version"] == kb["version"]
    assert meta["hepatica.knowledge_base.published"] == kb["published"]
    assert meta["hepatica.knowledge_base.content_hash"] == kb["content_hash"]
    assert meta["hepatica.contract"] == "hepatica.assessment/1"


def test_duckdb_reads_the_file(cohort, tmp_path):
    batch(cohort, tmp_path / "out.parquet", "--summary", str(tmp_path / "summary.json"))
    batch(cohort, tmp_path / "out.ndjson")
    ndjson = read_ndjson(tmp_path / "out.ndjson")
    con = duckdb.connect()
    path = str(tmp_path / "out.parquet")
    got = dict(con.execute(f"SELECT surgery, count(*) FROM read_parquet('{path}') GROUP BY surgery").fetchall())
    want: dict = {}
    for line in ndjson:
        want[line["suitability"]["surgery"]] = want.get(line["suitability"]["surgery"], 0) + 1
    assert got == want
    n_fong = con.execute(f"SELECT count(*) FROM read_parquet('{path}') WHERE fong_clinical_risk_score IS NOT NULL").fetchone()[0]
    assert n_fong == sum(1 for line in ndjson if "fong_clinical_risk_score" in line["scores"])
    kv = dict(
        (k.decode() if isinstance(k, bytes) else k, v.decode() if isinstance(v, bytes) else v)
        for k, v in con.execute(f"SELECT key, value FROM parquet_kv_metadata('{path}')").fetchall()
    )
    assert kv["hepatica.knowledge_base.version"] == next(v for v in hepatica.kb_versions() if v["latest"])["version"]


def test_format_flag_bulk_export_and_refused_modes(cohort, bulk_export, tmp_path):
    batch(cohort, tmp_path / "out.data", "--output-format", "parquet")
    lines = [line for line in cohort.read_text().splitlines() if line.strip()]
    assert pq.read_table(tmp_path / "out.data").num_rows == len(lines) - len(read_ndjson(tmp_path / "out.data.errors.ndjson"))
    batch(bulk_export, tmp_path / "bulk.ndjson")
    batch(bulk_export, tmp_path / "bulk.parquet")
    expected = [flat(line) for line in read_ndjson(tmp_path / "bulk.ndjson")]
    rows = pq.read_table(tmp_path / "bulk.parquet").to_pylist()
    assert len(rows) == len(expected) > 0
    assert all(same(a, b) for a, b in zip(rows, expected))
    for flag in ["--full", "--validate-only"]:
        proc = run_cli("batch", "--input", str(cohort), "--output", str(tmp_path / "x.parquet"), flag, check=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"error: {flag}:")
        assert proc.stdout == ""
        assert not (tmp_path / "x.parquet").exists()
