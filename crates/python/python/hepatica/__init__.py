"""Hepatica for Python: treatment options for secondary cancer in the liver.

Hepatica is an information aid to discuss with the care team. It says what is
usual, possible or unlikely in a situation, and what an answer depends on when
information is missing. It never makes a decision.

This package runs the same Rust engine and knowledge base as the ``hepatica``
command, embedded in the wheel: no server, no network, no files.

>>> import hepatica
>>> a = hepatica.assess({"primary_site": "bowel"})
>>> len(a["options"])
9
>>> hepatica.validate({"primary_site": "bowl"})[0]["pointer"]
'/primary_site'

Functions:

- :func:`assess` one Case (dict or JSON text) to its Assessment (contract
  ``hepatica.assessment/1``), equal to ``hepatica assess --format json``;
- :func:`assess_many` many Cases at once, in parallel;
- :func:`assess_fhir` one FHIR R4 Bundle, as ``hepatica assess --fhir``;
- :func:`validate` the input problems of a Case, by JSON pointer;
- :func:`drug` and :func:`ask` the drug look-up and the content search;
- :func:`kb_versions` the knowledge-base releases this build can use;
- :func:`assess_arrow` a pyarrow Table or RecordBatch column of Case JSON
  strings to suitability and score columns (for pandas, Polars, DuckDB and
  Spark's ``mapInArrow``), the same rows as ``hepatica batch``.

Invalid input raises :class:`InputError`, whose ``errors`` list names each
problem by JSON pointer. The engine runs without the GIL, so Python threads
keep going while it works.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _native

__all__ = [
    "InputError",
    "assess",
    "assess_many",
    "assess_fhir",
    "validate",
    "drug",
    "ask",
    "kb_versions",
    "assess_arrow",
    "arrow_schema",
    "COLUMNS",
    "TREATMENTS",
    "__version__",
]

__version__: str = json.loads(_native.versions_json())["program"]

#: The nine treatment areas, in contract order (one column each in Arrow output).
TREATMENTS: List[str] = [
    "chemotherapy",
    "surgery",
    "hormonal_therapy",
    "targeted_therapy",
    "immunotherapy",
    "ablation",
    "embolisation",
    "radiotherapy",
    "supportive_care",
]

#: The Arrow result columns, in order: ``case_id``, the nine treatments, the
#: score columns, then ``errors``.
COLUMNS: List[str] = list(_native.column_names()) + ["errors"]

Case = Union[Mapping[str, Any], str, bytes]


class InputError(ValueError):
    """The input is not a valid Case (or Bundle).

    ``errors`` lists every problem found, not only the first, each a dict
    ``{"pointer": "/liver/tumour_count", "detail": "expected ..., got ..."}``
    (RFC 6901 JSON pointers; ``""`` is the whole document). For many inputs
    the pointer starts with the input's index: ``/3/liver/tumour_count``.
    """

    def __init__(self, errors: List[Dict[str, str]]):
        self.errors: List[Dict[str, str]] = list(errors)
        lines = [f"{e['pointer'] or '(the whole input)'}: {e['detail']}" for e in self.errors]
        super().__init__("\n".join(lines) if lines else "invalid input")

    def __reduce__(self):
        # Pickle by the error list, so the exception survives process pools
        # (multiprocessing, concurrent.futures, Dask, Ray) as an InputError.
        return (type(self), (self.errors,))


def _check_kb(kb: Optional[str]) -> Optional[str]:
    # A release version (see kb_versions()), "latest" or None (the newest), as `--kb VERSION`.
    if kb is not None and not isinstance(kb, str):
        raise TypeError(f"kb: expected a knowledge-base version as text (see kb_versions()), got {type(kb).__name__}")
    problem = _native.kb_error(kb)
    if problem is not None:
        raise ValueError(f"kb: {problem}")
    return kb


def _text(case: Case, what: str = "Case") -> str:
    if isinstance(case, str):
        return case
    if isinstance(case, (bytes, bytearray, memoryview)):
        try:
            return bytes(case).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError([{"pointer": "", "detail": f"expected UTF-8 JSON text, got invalid UTF-8 ({e})"}]) from None
    if isinstance(case, Mapping):
        try:
            return json.dumps(case, allow_nan=False, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            raise InputError([{"pointer": "", "detail": f"expected a {what} of JSON values, got {e}"}]) from None
    raise TypeError(f"expected a {what} as a dict or JSON text, got {type(case).__name__}")


def _audience(audience: str) -> str:
    if audience not in ("patient", "clinician"):
        raise ValueError(f"audience: expected 'patient' or 'clinician', got {audience!r}")
    return audience


def assess(case: Case, *, audience: str = "patient", kb: Optional[str] = None) -> Dict[str, Any]:
    """Assesses one Case and returns its Assessment as a dict.

    ``case`` is a dict or JSON text (contract section 2); ``audience`` is
    ``"patient"`` (plain English) or ``"clinician"`` (clinical wording and
    the criteria trace); ``kb`` is a knowledge-base release version from
    :func:`kb_versions` (e.g. ``"2026.11.0"``), or ``None`` / ``"latest"``
    for the newest. The result's ``knowledge_base`` stamp names the release
    used. The result equals ``hepatica assess --format json --kb VERSION``
    for the same input.

    Raises :class:`InputError` when the Case is not valid, ``ValueError``
    for an unknown ``kb`` version or ``audience``.

    Raises :class:`InputError` when the Case is not valid.
    """
    kb = _check_kb(kb)
    ok, text = _native.assess_json(_text(case), _audience(audience), kb)
    if not ok:
        raise InputError(json.loads(text))
    return json.loads(text)


def assess_many(
    cases: Iterable[Case],
    *,
    audience: str = "patient",
    kb: Optional[str] = None,
    on_error: str = "raise",
    chunk_size: int = 2048,
    output: str = "dict",
) -> List[Any]:
    """Assesses many Cases in parallel; one result per input, in order.

    With ``on_error="raise"`` (the default) the first chunk holding invalid
    cases raises one :class:`InputError` listing all of its problems, each
    pointer prefixed with the case's index (``/12/primary_site``). With
    ``on_error="return"`` an invalid case gives its :class:`InputError` in
    its place in the list, and the others are assessed. ``cases`` may be
    any iterable (a generator, a file's lines); it is read ``chunk_size``
    cases at a time, each chunk assessed in parallel without the GIL.
    ``kb`` and ``audience`` are as for :func:`assess`.

    ``output="json"`` gives each Assessment as its JSON text (what
    ``hepatica assess --format json`` prints, on one line) instead of a dict:
    the texts are made without the GIL, so this is the fast way to write
    NDJSON; turning a whole Assessment (about 26 KiB) into dicts is Python
    work that holds the GIL. For suitability and score columns over a
    cohort, :func:`assess_arrow` is faster still.
    """
    kb = _check_kb(kb)
    if output not in ("dict", "json"):
        raise ValueError(f"output: expected 'dict' or 'json', got {output!r}")
    parse = json.loads if output == "dict" else (lambda text: text)
    if on_error not in ("raise", "return"):
        raise ValueError(f"on_error: expected 'raise' or 'return', got {on_error!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size: expected a whole number of at least 1, got {chunk_size!r}")
    audience = _audience(audience)
    out: List[Any] = []
    chunk: List[str] = []

    def run() -> None:
        results = _native.assess_many_json(chunk, audience, kb)
        base = len(out)
        problems: List[Dict[str, str]] = []
        for i, (ok, text) in enumerate(results):
            if ok:
                out.append(parse(text))
                continue
            errors = json.loads(text)
            if on_error == "raise":
                problems.extend({"pointer": f"/{base + i}{e['pointer']}", "detail": e["detail"]} for e in errors)
            else:
                out.append(InputError(errors))
        if problems:
            raise InputError(problems)
        chunk.clear()

    for case in cases:
        chunk.append(_text(case))
        if len(chunk) >= chunk_size:
            run()
    if chunk:
        run()
    return out


def assess_fhir(bundle: Case, *, audience: str = "patient", kb: Optional[str] = None) -> Dict[str, Any]:
    """Assesses one FHIR R4 Bundle (mCODE-style), as ``hepatica assess --fhir``.

    The result is ``hepatica assess --fhir FILE --format json``'s: the
    Assessment plus ``mapped_case``, the Case as read from the record. What
    could not be mapped is listed in the result's ``input_warnings``.
    Raises :class:`InputError` when the Bundle names no usable primary cancer
    or is not a Bundle.
    """
    kb = _check_kb(kb)
    ok, text = _native.assess_fhir_json(_text(bundle, "Bundle"), _audience(audience), kb)
    if not ok:
        raise InputError(json.loads(text))
    return json.loads(text)


def validate(case: Case) -> List[Dict[str, str]]:
    """Returns every problem with a Case as ``{"pointer", "detail"}`` dicts; ``[]`` when it is valid."""
    try:
        text = _text(case)
    except InputError as e:
        return e.errors
    return json.loads(_native.validate_json(text))


def drug(query: str, *, limit: int = 10) -> Dict[str, Any]:
    """Looks a drug or regimen up by generic name, brand, abbreviation or misspelling (contract section 4).

    Returns ``{"query", "matches": [...]}``, best match first, as
    ``hepatica drug QUERY --format json``. No match gives ``matches: []``.
    """
    if not isinstance(query, str) or not query.strip():
        raise InputError([{"pointer": "/query", "detail": f"expected a drug or regimen name, got {query!r}"}])
    return json.loads(_native.drug_json(query, _limit(limit)))


def ask(question: str, *, limit: int = 10) -> Dict[str, Any]:
    """Searches all patient content for answers (contract section 5), as ``hepatica ask --format json``.

    Returns ``{"question", "results": [...], ...}``, best first. A question
    that describes a same-day red flag (for example yellow skin or a high
    temperature during treatment) has an ``urgent`` object saying whom to
    call, and the urgent answer as its first result.
    """
    if not isinstance(question, str) or not question.strip():
        raise InputError([{"pointer": "/question", "detail": f"expected a question of at least one word, got {question!r}"}])
    return json.loads(_native.ask_json(question, _limit(limit)))


def _limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit: expected a whole number of at least 1, got {limit!r}")
    return limit


def kb_versions() -> List[Dict[str, Any]]:
    """Every knowledge-base release this build embeds, oldest first, as ``hepatica kb versions --format json``.

    Each is ``{"version", "published", "content_hash", "engine_logic",
    "latest", "default", "frozen"}`` (and ``superseded_by`` for an older
    release); any ``version`` can be passed as ``kb=`` to pin it.
    """
    return json.loads(_native.kb_versions_json())


class _Capsules:
    # Hands a (schema, array) PyCapsule pair to pyarrow through the Arrow PyCapsule protocol.
    def __init__(self, schema: Any, array: Any):
        self._pair = (schema, array)

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        return self._pair


def _assess_batch(pa: Any, column: Any, fhir: bool, kb: Optional[str] = None) -> Any:
    schema, array = column.__arrow_c_array__()
    out_schema, out_array = _native.assess_arrow(schema, array, fhir, kb)
    return pa.record_batch(_Capsules(out_schema, out_array))


def arrow_schema(kb: Optional[str] = None) -> Any:
    """The pyarrow schema of :func:`assess_arrow`'s result (with the knowledge-base stamp of ``kb`` as metadata)."""
    import pyarrow as pa

    return _assess_batch(pa, pa.array([], type=pa.string()), False, _check_kb(kb)).schema


def assess_arrow(data: Any, *, column: str = "case", fhir: bool = False, on_error: str = "raise", kb: Optional[str] = None) -> Any:
    """Assesses a column of Case JSON strings held in Arrow memory.

    ``data`` is a ``pyarrow.Table``, ``pyarrow.RecordBatch`` or a string
    ``pyarrow.Array`` / ``ChunkedArray``; ``column`` names the column of Case
    JSON strings (``string``, ``large_string`` or ``string_view``), or of FHIR
    R4 Bundles with ``fhir=True``. The strings are read in place through
    the Arrow C data interface (PyCapsules, no copy), and the result columns
    are handed back the same way. ``kb`` pins a release as for :func:`assess`.

    Returns the same kind of object (a Table for a Table or ChunkedArray, a
    RecordBatch otherwise), one row per input row, in order, with the columns
    in :data:`COLUMNS`: ``case_id``, one per treatment (``usual``,
    ``possible``, ``depends``, ``unlikely``), the score columns (null when a
    score's inputs are missing) and ``errors``. The schema's metadata carries
    the knowledge-base version and content hash. The suitabilities and scores
    are those ``hepatica batch`` writes for the same cases.

    With ``on_error="raise"`` (the default) any invalid row raises one
    :class:`InputError`, pointers prefixed with the row number
    (``/5/liver/tumour_count``). With ``on_error="column"`` invalid rows are
    kept: their ``errors`` cell holds the pointer list as JSON and their other
    cells but ``case_id`` are null.
    """
    import pyarrow as pa

    kb = _check_kb(kb)
    if on_error not in ("raise", "column"):
        raise ValueError(f"on_error: expected 'raise' or 'column', got {on_error!r}")
    if isinstance(data, pa.Table):
        chunks = data.column(column).chunks
        as_table = True
    elif isinstance(data, pa.RecordBatch):
        chunks = [data.column(column)]
        as_table = False
    elif isinstance(data, pa.ChunkedArray):
        chunks = data.chunks
        as_table = True
    elif isinstance(data, pa.Array):
        chunks = [data]
        as_table = False
    else:
        raise TypeError(f"expected a pyarrow Table, RecordBatch, Array or ChunkedArray, got {type(data).__name__}")
    batches = [_assess_batch(pa, c, fhir, kb) for c in chunks]
    if on_error == "raise":
        problems: List[Dict[str, str]] = []
        row = 0
        for b in batches:
            for i, cell in enumerate(b.column("errors").to_pylist()):
                if cell is not None:
                    problems.extend({"pointer": f"/{row + i}{e['pointer']}", "detail": e["detail"]} for e in json.loads(cell))
            row += b.num_rows
        if problems:
            raise InputError(problems)
    if as_table:
        schema = batches[0].schema if batches else arrow_schema(kb)
        return pa.Table.from_batches(batches, schema=schema)
    return batches[0]
