"""Regression gate: the semantic diff meets its targets on the held-out test split of
eval/cases.jsonl (material F1, recall of every shift type, no false shift on whitespace,
quote-style or typo edits). Same code path as `make eval --check`."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

EVAL_SCRIPT = Path(__file__).resolve().parent.parent / "eval" / "run_eval.py"


@cache
def _run_eval() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the script by path. It must be in
    sys.modules while it runs, for its dataclasses."""
    spec = importlib.util.spec_from_file_location("storywatch_run_eval", EVAL_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_cases_cover_every_type_and_kind_in_both_splits() -> None:
    run_eval = _run_eval()
    cases = run_eval.load_cases()
    assert len(cases) >= 120
    for split in ("dev", "test"):
        gold_types = {s["type"] for c in cases if c["split"] == split for s in c["shifts"]}
        assert gold_types == set(run_eval.SHIFT_TYPES), split
        kinds = {c["kind"] for c in cases if c["split"] == split and not c["material"]}
        assert set(run_eval.ZERO_FALSE_SHIFT_KINDS) <= kinds, split


def test_targets_met_on_test_split() -> None:
    run_eval = _run_eval()
    report = run_eval.evaluate("test", run_eval.load_cases("test"))
    assert report.pairs > 0
    assert run_eval.target_failures(report) == []


def test_span_overlap_rule() -> None:
    overlap = _run_eval().spans_overlap
    assert overlap("has not been", "has not been finalized")
    assert overlap("$1.5 billion", "1.5 BILLION")
    assert overlap("Bloomberg sources", "according to Bloomberg")
    assert overlap(None, None)
    assert not overlap(None, "Paris")
    assert not overlap("the city", "the Paris")  # stop words alone do not overlap
