"""Type stubs for ``hepatica._native``, the Rust module behind :mod:`hepatica`.

Use the functions in :mod:`hepatica`; these are their JSON-text primitives.
Each runs without the GIL.
"""

from typing import Any, List, Optional, Tuple

def assess_json(case: str, audience_name: str, kb: Optional[str] = None) -> Tuple[bool, str]:
    """``(True, assessment JSON)`` or ``(False, errors JSON)``."""

def assess_many_json(cases: List[str], audience_name: str, kb: Optional[str] = None) -> List[Tuple[bool, str]]:
    """One ``(ok, JSON)`` per case, in order, assessed in parallel."""

def validate_json(case: str) -> str:
    """The errors JSON, ``[]`` when the case is valid."""

def assess_fhir_json(bundle: str, audience_name: str, kb: Optional[str] = None) -> Tuple[bool, str]:
    """As :func:`assess_json`, for a FHIR R4 Bundle."""

def drug_json(query: str, limit: int) -> str:
    """The drug look-up answer as JSON (contract section 4)."""

def ask_json(question: str, limit: int) -> str:
    """The content search answer as JSON (contract section 5)."""

def kb_versions_json() -> str:
    """Every knowledge-base release this build embeds, oldest first, as JSON (``hepatica kb versions``)."""

def kb_error(version: Optional[str] = None) -> Optional[str]:
    """Why ``version`` cannot be used as ``kb=`` (``None`` when it can)."""

def versions_json() -> str:
    """``{"program", "contract"}`` as JSON."""

def column_names() -> List[str]:
    """The Arrow result columns, in order, without ``errors``."""

def assess_arrow(schema: Any, array: Any, fhir: bool, kb: Optional[str] = None) -> Tuple[Any, Any]:
    """Arrow PyCapsules ``(arrow_schema, arrow_array)`` of a string column in, of the result struct out."""
