"""The Arrow entry point: the rows of `hepatica batch`, errors per row, the KB stamp."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import hepatica
from conftest import read_ndjson, run_cli
from rows import flat, same


def cohort_table(cohort, chunks: int = 3) -> pa.Table:
    lines = [line for line in cohort.read_text().splitlines() if line.strip()]
    step = -(-len(lines) // chunks)
    arrays = [pa.array(lines[i : i + step], type=pa.string()) for i in range(0, len(lines), step)]
    return pa.Table.from_arrays([pa.chunked_array(arrays)], names=["case"])


def test_rows_equal_hepatica_batch_row_for_row(cohort, tmp_path):
    out = tmp_path / "out.ndjson"
    run_cli("batch", "--input", str(cohort), "--output", str(out))
    expected = [flat(line) for line in read_ndjson(out)]
    errors = read_ndjson(tmp_path / "out.ndjson.errors.ndjson")

    table = cohort_table(cohort)
    result = hepatica.assess_arrow(table, on_error="column")
    assert isinstance(result, pa.Table)
    assert result.num_rows == table.num_rows
    assert result.column_names == hepatica.COLUMNS
    rows = result.to_pylist()
    # batch also needs an `id` on each line (to match output to input); a
    # table row is matched by position, so a case without one is assessed.
    no_id = [e for e in errors if [x["pointer"] for x in e["errors"]] == ["/id"]]
    errors = [e for e in errors if e not in no_id]
    assert no_id, "the synthetic cohort's invalid lines include missing ids"
    valid = [{k: v for k, v in r.items() if k != "errors"} for r in rows if r["errors"] is None]
    assert sum(r["case_id"] is None for r in valid) == len(no_id)
    valid = [r for r in valid if r["case_id"] is not None]
    invalid = [r for r in rows if r["errors"] is not None]
    assert len(valid) == len(expected)
    assert all(same(a, b) for a, b in zip(valid, expected))
    # Invalid rows: the same problems as the batch errors file, in the same order.
    assert [json.loads(r["errors"]) for r in invalid] == [e["errors"] for e in errors]
    assert all(r[t] is None for r in invalid for t in hepatica.TREATMENTS)


def test_schema_types_and_metadata():
    schema = hepatica.arrow_schema()
    assert schema.names == hepatica.COLUMNS
    assert schema.field("surgery").type == pa.string()
    assert schema.field("fong_clinical_risk_score").type == pa.int32()
    assert schema.field("tumour_burden_score").type == pa.float64()
    assert schema.field("future_liver_remnant_adequate").type == pa.bool_()
    meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
    kb = next(v for v in hepatica.kb_versions() if v["latest"])
    assert meta["hepatica.knowledge_base.version"] == kb["version"]
    assert meta["hepatica.knowledge_base.content_hash"] == kb["content_hash"]
    assert meta["hepatica.contract"] == "hepatica.assessment/1"


def test_record_batches_arrays_and_string_types():
    cases = [json.dumps({"id": f"c{i}", "primary_site": site}) for i, site in enumerate(["bowel", "lung", "breast"])]
    expected = hepatica.assess_arrow(pa.record_batch([pa.array(cases)], names=["case"]))
    assert isinstance(expected, pa.RecordBatch)
    assert expected.column("case_id").to_pylist() == ["c0", "c1", "c2"]
    for typ in [pa.large_string(), pa.string_view()]:
        got = hepatica.assess_arrow(pa.array(cases, type=typ))
        assert got.equals(expected)
    single = [hepatica.assess(c) for c in cases]
    for i, a in enumerate(single):
        for o in a["options"]:
            assert expected.column(o["treatment"])[i].as_py() == o["suitability"]
    empty = hepatica.assess_arrow(pa.table({"case": pa.array([], type=pa.string())}))
    assert empty.num_rows == 0 and empty.column_names == hepatica.COLUMNS


def test_errors_raise_with_row_pointers_or_stay_in_the_column():
    data = pa.table({"case": ['{"id":"a","primary_site":"lung"}', '{"id":"b","primary_site":"bowl"}', None]})
    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess_arrow(data)
    pointers = [x["pointer"] for x in e.value.errors]
    assert pointers == ["/1/primary_site", "/2"]
    kept = hepatica.assess_arrow(data, on_error="column").to_pylist()
    assert kept[0]["errors"] is None and kept[0]["surgery"] is not None
    assert kept[1]["case_id"] == "b" and kept[1]["surgery"] is None
    assert json.loads(kept[1]["errors"])[0]["pointer"] == "/primary_site"
    assert "null" in json.loads(kept[2]["errors"])[0]["detail"]
    with pytest.raises(TypeError, match="JSON strings"):
        hepatica.assess_arrow(pa.table({"case": [1, 2]}))
    with pytest.raises(KeyError):
        hepatica.assess_arrow(data, column="missing")


def test_input_buffers_are_read_in_place():
    # The native side reads the caller's string buffers through the C data
    # interface: a sliced array (offset into shared buffers) gives the rows of the slice.
    cases = pa.array([json.dumps({"id": f"c{i}", "primary_site": "lung"}) for i in range(10)])
    got = hepatica.assess_arrow(cases.slice(3, 4))
    assert got.column("case_id").to_pylist() == ["c3", "c4", "c5", "c6"]
