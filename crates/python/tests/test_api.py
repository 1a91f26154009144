"""The Python API: same answers as the CLI, errors by JSON pointer, argument checks."""

from __future__ import annotations

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import hepatica
from conftest import CONTRACT_EXAMPLES, FHIR_FIXTURES, run_cli

VALID_EXAMPLES = ["bowel-resectable.json", "breast-minimal.json", "only-primary.json"]


@pytest.mark.parametrize("name", VALID_EXAMPLES)
@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_assess_equals_the_cli_for_the_contract_examples(name, audience):
    path = CONTRACT_EXAMPLES / name
    cli = json.loads(run_cli("assess", str(path), "--format", "json", "--audience", audience).stdout)
    from_text = hepatica.assess(path.read_text(), audience=audience)
    from_dict = hepatica.assess(json.loads(path.read_text()), audience=audience)
    assert from_text == cli
    assert from_dict == cli
    assert from_text["contract"] == "hepatica.assessment/1"
    assert [o["treatment"] for o in from_text["options"]] == hepatica.TREATMENTS


def test_invalid_input_raises_one_error_with_every_pointer():
    path = CONTRACT_EXAMPLES / "invalid.json"
    cli = run_cli("assess", str(path), "--format", "json", check=False)
    assert cli.returncode == 2
    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess(path.read_text())
    got = [f"error: {x['pointer']}: {x['detail']}" for x in e.value.errors]
    assert got == cli.stderr.strip().splitlines()
    pointers = [x["pointer"] for x in e.value.errors]
    assert "/primary_site" in pointers and "/liver/tumor_count" in pointers and "/performance_status" in pointers
    assert isinstance(e.value, ValueError)
    assert "/primary_site" in str(e.value)
    assert hepatica.validate(path.read_text()) == e.value.errors
    assert hepatica.validate((CONTRACT_EXAMPLES / "only-primary.json").read_text()) == []


def test_input_errors_survive_pickling_and_process_pools():
    import concurrent.futures
    import pickle

    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess({"primary_site": "bowl"})
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is hepatica.InputError and back.errors == e.value.errors and str(back) == str(e.value)
    # Raised in a worker process, it reaches the caller as an InputError (not BrokenProcessPool).
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(hepatica.InputError) as remote:
            pool.submit(hepatica.assess, {"primary_site": "bowl"}).result()
    assert remote.value.errors == e.value.errors


def test_bad_json_and_non_json_values_are_input_errors():
    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess("{not json")
    assert e.value.errors[0]["pointer"] == ""
    with pytest.raises(hepatica.InputError):
        hepatica.assess({"primary_site": "bowel", "cea_ng_ml": float("nan")})
    with pytest.raises(hepatica.InputError):
        hepatica.assess({"primary_site": "bowel", "when": object()})
    with pytest.raises(TypeError):
        hepatica.assess(42)
    assert hepatica.validate({"primary_site": "liver"})[0]["pointer"] == "/primary_site"


def test_arguments_are_checked():
    case = {"primary_site": "lung"}
    assert hepatica.assess(case, kb="latest") == hepatica.assess(case, kb=None)
    cli = run_cli("assess", "--kb", "2020.1.0", "--format", "json", str(CONTRACT_EXAMPLES / "only-primary.json"), check=False)
    assert cli.returncode == 2
    for call in (
        lambda: hepatica.assess(case, kb="2020.1.0"),
        lambda: hepatica.assess_many([case], kb="2020.1.0"),
        lambda: hepatica.assess_fhir("{}", kb="2020.1.0"),
        lambda: hepatica.arrow_schema(kb="2020.1.0"),
    ):
        with pytest.raises(ValueError) as e:
            call()
        # The same message as `hepatica --kb`, naming the versions that exist.
        assert f"error: {e.value}" == cli.stderr.strip().replace("error: --kb: ", "error: kb: ")
        assert not isinstance(e.value, hepatica.InputError)
    with pytest.raises(TypeError, match="kb"):
        hepatica.assess(case, kb=2026)
    with pytest.raises(ValueError, match="audience"):
        hepatica.assess(case, audience="doctor")
    with pytest.raises(ValueError, match="on_error"):
        hepatica.assess_many([case], on_error="ignore")
    with pytest.raises(hepatica.InputError):
        hepatica.drug("   ")
    with pytest.raises(ValueError, match="limit"):
        hepatica.ask("surgery", limit=0)


def test_missing_input_gives_depends_not_a_guess():
    a = hepatica.assess({"primary_site": "bowel"})
    levels = {o["treatment"]: o["suitability"] for o in a["options"]}
    assert levels["surgery"] == "depends"
    assert any(m["pointer"].startswith("/liver") for m in a["missing_information"])


def test_assess_many_keeps_order_and_names_the_index(cohort):
    lines = [line for line in cohort.read_text().splitlines() if line.strip()][:300]
    singles = []
    for line in lines:
        try:
            singles.append(hepatica.assess(line))
        except hepatica.InputError as e:
            singles.append(e.errors)
    many = hepatica.assess_many(lines, on_error="return", chunk_size=64)
    assert len(many) == len(lines)
    bad = 0
    for one, m in zip(singles, many):
        if isinstance(m, hepatica.InputError):
            assert m.errors == one
            bad += 1
        else:
            assert m == one
    assert bad > 0
    first_bad = next(i for i, m in enumerate(many) if isinstance(m, hepatica.InputError))
    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess_many(lines)
    assert e.value.errors[0]["pointer"].startswith(f"/{first_bad}")
    good = [line for line, m in zip(lines, many) if not isinstance(m, hepatica.InputError)]
    assert hepatica.assess_many(iter(good), audience="clinician") == [hepatica.assess(g, audience="clinician") for g in good]
    # output="json": the same Assessments as one-line JSON texts, the errors as before.
    texts = hepatica.assess_many(lines, on_error="return", chunk_size=64, output="json")
    assert len(texts) == len(lines)
    for m, t in zip(many, texts):
        if isinstance(m, hepatica.InputError):
            assert isinstance(t, hepatica.InputError) and t.errors == m.errors
        else:
            assert isinstance(t, str) and "\n" not in t and json.loads(t) == m
    with pytest.raises(ValueError, match="output"):
        hepatica.assess_many(good, output="pandas")


def test_fhir_bundles_equal_the_cli():
    path = FHIR_FIXTURES / "bowel-kras-g12c.json"
    cli = json.loads(run_cli("assess", "--fhir", str(path), "--format", "json").stdout)
    assert hepatica.assess_fhir(path.read_text()) == cli
    cli = run_cli("assess", "--fhir", str(FHIR_FIXTURES / "error-liver-primary.json"), "--format", "json", check=False)
    assert cli.returncode == 2
    with pytest.raises(hepatica.InputError) as e:
        hepatica.assess_fhir((FHIR_FIXTURES / "error-liver-primary.json").read_text())
    assert [f"error: {x['pointer'] or '/'}: {x['detail']}" for x in e.value.errors] == cli.stderr.strip().splitlines()


@pytest.mark.parametrize("query", ["keytruda", "FOLFOX", "oxaliplatn"])
def test_drug_equals_the_cli(query):
    assert hepatica.drug(query) == json.loads(run_cli("drug", query, "--format", "json").stdout)


@pytest.mark.parametrize("question", ["can liver mets from bowel cancer be operated on?", "what is SIRT", "my skin has turned yellow"])
def test_ask_equals_the_cli(question):
    assert hepatica.ask(question) == json.loads(run_cli("ask", question, "--format", "json").stdout)


def test_an_urgent_question_gets_the_urgent_answer_first():
    urgent = hepatica.ask("my skin and eyes have turned yellow")
    assert urgent.get("urgent"), urgent
    assert "999" in urgent["urgent"]["text"] and "helpline" in urgent["urgent"]["text"]
    # The answer saying when and whom to call comes first.
    assert "helpline" in urgent["results"][0]["title"]
    calm = hepatica.ask("what is SIRT")
    assert not calm.get("urgent")
    assert calm["results"], "SIRT is explained in the content"


def test_drug_lookup_finds_brands_and_misspellings():
    brand = hepatica.drug("keytruda")
    assert brand["matches"], brand
    generic = hepatica.drug("pembrolizumab")
    assert brand["matches"][0]["id"] == generic["matches"][0]["id"]
    misspelt = hepatica.drug("oxaliplatn")
    assert misspelt["matches"] and "oxaliplatin" in json.dumps(misspelt["matches"][0]).lower()
    assert hepatica.drug("zzzzqqqq")["matches"] == []


def test_kb_versions_equal_the_cli_and_every_release_can_be_pinned():
    versions = hepatica.kb_versions()
    assert versions == json.loads(run_cli("kb", "versions", "--format", "json").stdout)
    assert len(versions) >= 2, "frozen releases and the working content"
    assert [v["latest"] for v in versions].count(True) == 1
    latest = next(v for v in versions if v["latest"])
    assert hepatica.assess({"primary_site": "lung"})["knowledge_base"]["version"] == latest["version"]
    path = CONTRACT_EXAMPLES / "bowel-resectable.json"
    for v in versions:
        got = hepatica.assess(path.read_text(), kb=v["version"], audience="clinician")
        stamp = got["knowledge_base"]
        assert (stamp["version"], stamp["content_hash"], stamp["published"]) == (v["version"], v["content_hash"], v["published"])
        assert stamp.get("superseded_by") == v.get("superseded_by")
        cli = run_cli("assess", str(path), "--kb", v["version"], "--audience", "clinician", "--format", "json")
        assert got == json.loads(cli.stdout)
        meta = hepatica.arrow_schema(kb=v["version"]).metadata
        assert meta[b"hepatica.knowledge_base.content_hash"].decode() == v["content_hash"]
        [one] = hepatica.assess_many([path.read_text()], kb=v["version"])
        assert one["knowledge_base"] == stamp
    hashes = {v["content_hash"] for v in versions}
    assert len(hashes) == len(versions), "each release has its own content"


def test_audience_changes_the_wording_not_the_decisions():
    path = CONTRACT_EXAMPLES / "bowel-resectable.json"
    patient = hepatica.assess(path.read_text(), audience="patient")
    clinician = hepatica.assess(path.read_text(), audience="clinician")
    assert patient["audience"] == "patient" and clinician["audience"] == "clinician"
    level = lambda a: [(o["treatment"], o["suitability"]) for o in a["options"]]  # noqa: E731
    assert level(patient) == level(clinician)
    assert patient != clinician


def test_assess_equals_the_cli_over_a_synthetic_cohort(tmp_path):
    # 200 synthetic cases, each through `hepatica assess --format json` (audiences alternating).
    path = tmp_path / "synth.ndjson"
    run_cli("synth", "--count", "200", "--seed", "7", "--output", str(path))
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    assert len(lines) == 200

    def cli(i: int) -> dict:
        case = tmp_path / f"case-{i}.json"
        case.write_text(lines[i])
        audience = "clinician" if i % 2 else "patient"
        return json.loads(run_cli("assess", str(case), "--format", "json", "--audience", audience).stdout)

    with ThreadPoolExecutor(4) as pool:
        expected = list(pool.map(cli, range(len(lines))))
    for i, line in enumerate(lines):
        audience = "clinician" if i % 2 else "patient"
        assert hepatica.assess(line, audience=audience) == expected[i], f"case {i}"


def test_the_gil_is_released_while_the_engine_works(cohort):
    # A Python thread keeps running while another thread is inside the engine.
    lines = [line for line in cohort.read_text().splitlines() if line.strip()] * 5
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    # A long switch interval: a thread holding the GIL keeps it for the whole
    # native call, so only a call that releases it lets the counter move.
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.5)
    t = threading.Thread(target=count)
    t.start()
    try:
        while ticks == 0:
            pass
        before = ticks
        # Only the native call is timed: Python-side work would let the counter run anyway.
        hepatica._native.assess_many_json(lines, "clinician")
        during = ticks - before
    finally:
        done.set()
        t.join()
        sys.setswitchinterval(old)
    assert during > 1000, during
