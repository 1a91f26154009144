"""Rows per second per core: PySpark mapInArrow with the hepatica wheel against `hepatica batch`.

Run by bench/spark.sh (release builds of both). Prints a Markdown table and
writes bench/out/spark.json. Each figure is the best of REPEAT runs, wall
clock, on one core (`hepatica batch --threads 1`, Spark `local[1]` with
RAYON_NUM_THREADS=1); Spark's session start-up is not timed, its job
(read text, Arrow batches to the Python worker, assess, `noop` write) is.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["PYSPARK_PYTHON"] = sys.executable

import pyarrow as pa  # noqa: E402

import hepatica  # noqa: E402

cohort, binary, out_dir = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
repeat = int(os.environ.get("REPEAT", "3"))
lines = [line for line in cohort.read_text().splitlines() if line.strip()]
n = len(lines)
results = {"cases": n, "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def best(f):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def batch(output, *extra):
    args = [binary, "batch", "--threads", "1", "--input", str(cohort), "--output", str(out_dir / output), *extra]
    # Exit 3: some cases were invalid (none are in the synthetic cohort); anything else is a failure.
    return lambda: subprocess.run(args, check=False, stdout=subprocess.DEVNULL).returncode in (0, 3) or sys.exit("batch failed")


results["batch_ndjson_s"] = best(batch("spark-bench.ndjson"))
results["batch_parquet_s"] = best(batch("spark-bench.parquet"))
table = pa.table({"case": pa.array(lines)})
results["python_arrow_s"] = best(lambda: hepatica.assess_arrow(table, on_error="column"))
# assess_many builds full Assessments (explanations, sources) and parses them into dicts:
# compare it with `hepatica batch --full`, which writes the same Assessments.
results["python_many_s"] = best(lambda: hepatica.assess_many(lines, on_error="return"))
results["python_many_json_s"] = best(lambda: hepatica.assess_many(lines, on_error="return", output="json"))
results["batch_full_s"] = best(batch("spark-bench-full.ndjson", "--full"))

from pyspark.sql import SparkSession  # noqa: E402

from hepatica import spark as hs  # noqa: E402

for cores in (1, 2):
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executorEnv.RAYON_NUM_THREADS", "1")
        .config("spark.sql.files.maxPartitionBytes", str(max(1 << 20, cohort.stat().st_size // (4 * cores))))
        .getOrCreate()
    )
    df = spark.read.text(str(cohort)).cache()
    df.count()
    job = lambda: hs.assess_ndjson(df).write.format("noop").mode("overwrite").save()  # noqa: E731
    job()  # warm the Python workers
    results[f"spark_local{cores}_s"] = best(job)
    spark.stop()

rate = lambda s, cores=1: n / s / cores  # noqa: E731
rows = [
    ("`hepatica batch --threads 1`, NDJSON out", results["batch_ndjson_s"], 1),
    ("`hepatica batch --threads 1`, Parquet out", results["batch_parquet_s"], 1),
    ("`hepatica.assess_arrow` in one Python process, RAYON_NUM_THREADS=1", results["python_arrow_s"], 1),
    ("`hepatica batch --threads 1 --full` (whole Assessments)", results["batch_full_s"], 1),
    ("`hepatica.assess_many` (whole Assessments as dicts), RAYON_NUM_THREADS=1", results["python_many_s"], 1),
    ("`hepatica.assess_many(output=\"json\")` (JSON texts), RAYON_NUM_THREADS=1", results["python_many_json_s"], 1),
    ("PySpark `local[1]`, `mapInArrow`", results["spark_local1_s"], 1),
    ("PySpark `local[2]`, `mapInArrow`", results["spark_local2_s"], 2),
]
results["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
print(f"{n:,} synthetic cases; {os.cpu_count()} cores; load average before: {results['load_before']}, after: {results['load_after']}")
print()
print(f"| {n:,} cases | seconds | rows/s per core | vs batch |")
print("|---|---|---|---|")
for name, s, cores in rows:
    print(f"| {name} | {s:.2f} | {rate(s, cores):,.0f} | {rate(s, cores) / rate(results['batch_ndjson_s']):.2f} |")
(out_dir / "spark.json").write_text(json.dumps(results, indent=2))
