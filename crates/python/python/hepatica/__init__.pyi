"""Type stubs for :mod:`hepatica` (the implementation is typed too; this file is what checkers read)."""

from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Union

__version__: str
TREATMENTS: List[str]
COLUMNS: List[str]

Case = Union[Mapping[str, Any], str, bytes]
Audience = Literal["patient", "clinician"]

class InputError(ValueError):
    errors: List[Dict[str, str]]
    def __init__(self, errors: List[Dict[str, str]]) -> None: ...

def assess(case: Case, *, audience: Audience = "patient", kb: Optional[str] = None) -> Dict[str, Any]: ...
def assess_many(
    cases: Iterable[Case],
    *,
    audience: Audience = "patient",
    kb: Optional[str] = None,
    on_error: Literal["raise", "return"] = "raise",
    chunk_size: int = 2048,
    output: Literal["dict", "json"] = "dict",
) -> List[Union[Dict[str, Any], str, InputError]]: ...
def assess_fhir(bundle: Case, *, audience: Audience = "patient", kb: Optional[str] = None) -> Dict[str, Any]: ...
def validate(case: Case) -> List[Dict[str, str]]: ...
def drug(query: str, *, limit: int = 10) -> Dict[str, Any]: ...
def ask(question: str, *, limit: int = 10) -> Dict[str, Any]: ...
def kb_versions() -> List[Dict[str, Any]]: ...
def arrow_schema(kb: Optional[str] = None) -> Any: ...
def assess_arrow(
    data: Any,
    *,
    column: str = "case",
    fhir: bool = False,
    on_error: Literal["raise", "column"] = "raise",
    kb: Optional[str] = None,
) -> Any: ...
