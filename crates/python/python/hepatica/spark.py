"""Hepatica on Apache Spark: assess cohorts with ``mapInArrow``, on the executors.

Needs ``pyspark`` (3.4 or later) and ``pyarrow``, and the ``hepatica`` wheel
installed on every executor (see ``docs/deploy.md``). Each Arrow batch Spark
hands a Python worker goes through :func:`hepatica.assess_arrow` without
leaving Arrow memory; the Rust engine runs without the GIL, on rayon threads
(set ``RAYON_NUM_THREADS=1`` on executors so each Spark task uses one core,
``spark.executorEnv.RAYON_NUM_THREADS``).

>>> from pyspark.sql import SparkSession
>>> from hepatica import spark as hs
>>> session = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
>>> rows = hs.assess_ndjson(session.read.text("cohort.ndjson"))      # doctest: +SKIP
>>> bundles = hs.bulk_export_bundles(session, "export/")             # doctest: +SKIP
>>> rows = hs.assess_bundles(bundles)                                # doctest: +SKIP

The result has the columns of :data:`hepatica.COLUMNS`: the same rows as
``hepatica batch`` writes for the same input (valid ones where ``errors`` is
null; invalid ones carry their pointer list as JSON in ``errors``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

import hepatica


def result_ddl(kb: Optional[str] = None) -> str:
    """The Spark schema of the result, as a DDL string (from :func:`hepatica.arrow_schema`)."""
    import pyarrow as pa

    names = {pa.string(): "STRING", pa.int32(): "INT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}
    return ", ".join(f"`{f.name}` {names[f.type]}" for f in hepatica.arrow_schema(kb))


def _assessor(column: str, fhir: bool, kb: Optional[str]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    # The function Spark pickles to the executors: it imports hepatica there.
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import hepatica as h

        for batch in batches:
            yield h.assess_arrow(batch, column=column, fhir=fhir, on_error="column", kb=kb)

    return run


def assess_cases(df: Any, column: str = "case", kb: Optional[str] = None) -> Any:
    """Assesses a DataFrame column of Case JSON strings; one result row per input row.

    ``kb`` pins a knowledge-base release (see :func:`hepatica.kb_versions`);
    every executor then uses that release, whatever its wheel's newest is.
    """
    return df.select(df[column].alias("case")).mapInArrow(_assessor("case", False, kb), result_ddl(kb))


def assess_ndjson(df: Any, kb: Optional[str] = None) -> Any:
    """Assesses ``spark.read.text(...)`` of NDJSON Cases, skipping blank lines as ``hepatica batch`` does."""
    from pyspark.sql import functions as F

    lines = df.where(F.trim(F.col("value")) != "")
    return assess_cases(lines, "value", kb)


def bulk_export_bundles(spark: Any, folder: str) -> Any:
    """Regroups a FHIR Bulk Data export folder into one Bundle per patient (column ``bundle``).

    As ``hepatica batch`` does for a folder: every ``*.ndjson`` resource goes
    to the patient its ``subject`` or ``patient`` reference names
    (``Patient/<id>`` or ``urn:uuid:<id>``); the Patient comes first, then the
    others in file-name and line order; ``Medication`` resources, which are
    shared, are added to each Bundle whose resources refer to them. The
    grouping is a shuffle by patient id, so Spark partitions the work by
    patient. Line order within a file is Spark's read order
    (``monotonically_increasing_id``), which follows the file for files read
    in one split.
    """
    from pyspark.sql import functions as F

    raw = (
        spark.read.text(f"{folder.rstrip('/')}/*.ndjson")
        .where(F.trim(F.col("value")) != "")
        .select(
            F.col("value").alias("json"),
            F.element_at(F.split(F.input_file_name(), "/"), -1).alias("file"),
            F.monotonically_increasing_id().alias("seq"),
        )
        .withColumn("type", F.get_json_object("json", "$.resourceType"))
    )
    ref = F.coalesce(F.get_json_object("json", "$.subject.reference"), F.get_json_object("json", "$.patient.reference"))
    ref_id = F.when(ref.contains("Patient/"), F.element_at(F.split(ref, "Patient/"), -1)).when(
        ref.startswith("urn:uuid:"), F.substring(ref, 10, 1 << 20)
    )
    patients = raw.where(F.col("type") == "Patient").select(
        F.get_json_object("json", "$.id").alias("patient"), F.lit(0).alias("rank"), "file", "seq", "json"
    )
    others = raw.where(~F.col("type").isin("Patient", "Medication")).select(
        ref_id.alias("patient"), F.lit(1).alias("rank"), "file", "seq", "json"
    ).where(F.col("patient").isNotNull())
    meds = raw.where(F.col("type") == "Medication").select(F.get_json_object("json", "$.id").alias("med_id"), F.col("json").alias("med_json"))
    med_refs = (
        others.select("patient", F.explode(F.expr(r"""regexp_extract_all(json, '"reference"\\s*:\\s*"[^"]*Medication/([^"]+)"', 1)""")).alias("med_id"))
        .distinct()
        .join(meds.dropDuplicates(["med_id"]), "med_id")
        .select("patient", F.lit(2).alias("rank"), F.lit("").alias("file"), F.lit(0).cast("long").alias("seq"), F.col("med_json").alias("json"), "med_id")
    )
    entries = patients.unionByName(others).withColumn("med_id", F.lit(""))
    entries = entries.unionByName(med_refs)
    # Only patients with a Patient resource, as in batch.
    known = patients.select("patient").distinct()
    entries = entries.join(known, "patient", "left_semi")
    grouped = entries.groupBy("patient").agg(
        F.array_sort(F.collect_list(F.struct("rank", "file", "seq", "med_id", "json"))).alias("entries")
    )
    bundle = F.concat(
        F.lit('{"resourceType":"Bundle","type":"collection","entry":['),
        F.array_join(F.transform("entries", lambda e: F.concat(F.lit('{"resource":'), e["json"], F.lit("}"))), ","),
        F.lit("]}"),
    )
    return grouped.select("patient", bundle.alias("bundle"))


def assess_bundles(df: Any, column: str = "bundle", kb: Optional[str] = None) -> Any:
    """Assesses a DataFrame column of FHIR R4 Bundle JSON strings (one patient each)."""
    return df.select(df[column].alias("bundle")).mapInArrow(_assessor("bundle", True, kb), result_ddl(kb))
