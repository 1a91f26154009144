"""Turns `hepatica batch` NDJSON suitability lines into the flat Arrow/Parquet row layout."""

from __future__ import annotations

import math

import hepatica

SCORE_PARTS = {
    "fong_clinical_risk_score": ("fong_clinical_risk_score", ["value", "group"]),
    "tumour_burden_score": ("tumour_burden_score", ["value", "group"]),
    "game_score": ("game_score", ["value", "group"]),
    "future_liver_remnant": ("future_liver_remnant", ["value", "threshold", "adequate"]),
}


def flat(line: dict) -> dict:
    row = {"case_id": line["case_id"]}
    row.update({t: line["suitability"][t] for t in hepatica.TREATMENTS})
    for key, (prefix, parts) in SCORE_PARTS.items():
        score = line["scores"].get(key)
        for part in parts:
            name = prefix if part == "value" else f"{prefix}_{part}"
            row[name] = None if score is None else score[part]
    return row


def same(a: dict, b: dict) -> bool:
    """Row equality; floats must agree exactly (both sides print the same f64)."""
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if x != y:
            return False
    return True
