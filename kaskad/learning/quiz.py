"""How a quiz step is shown and how a submitted form becomes a reply of its kind (steps.py).

Options are shown in the learner's variant order and named by display position, so the reply
is checked against the original definition by `steps.check`. Missing or malformed fields give
a reply `steps.check` refuses with `ReplyError` (a clear "incomplete" message, never a wrong
answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict


def _shown(items: list[Any], order: list[int]) -> list[dict[str, Any]]:
    return [{"pos": pos, "text": _text(items[i])} for pos, i in enumerate(order)]


def _text(item: Any) -> str:
    return str(item["text"]) if isinstance(item, Mapping) else str(item)


def present(definition: Mapping[str, Any], variant: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the template needs to draw the question."""
    variant = variant or {}
    kind = definition["kind"]
    out: dict[str, Any] = {"kind": kind, "prompt": definition.get("prompt", "")}
    if kind in ("single_choice", "multiple_choice"):
        out["options"] = _shown(list(definition["options"]), list(variant["order"]))
    elif kind == "matching":
        out["left"] = _shown(list(definition["left"]), list(variant["left"]))
        out["right"] = _shown(list(definition["right"]), list(variant["right"]))
    elif kind == "ordering":
        out["items"] = _shown(list(definition["items"]), list(variant["order"]))
        out["ranks"] = list(range(1, len(out["items"]) + 1))
    elif kind == "fill_gaps":
        segments: list[dict[str, Any]] = []
        k = 0
        for seg in definition["segments"]:
            if isinstance(seg, str):
                segments.append({"text": seg})
                continue
            gap = seg["gap"]
            entry: dict[str, Any] = {"gap": k, "kind": gap["kind"]}
            if gap["kind"] == "single_choice":
                entry["options"] = _shown(list(gap["options"]), list(variant["gaps"][k]["order"]))
            segments.append(entry)
            k += 1
        out["segments"] = segments
    return out


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def reply_from_post(definition: Mapping[str, Any], data: QueryDict) -> dict[str, Any]:
    kind = definition["kind"]
    if kind == "single_choice":
        return {"choice": _int(data.get("choice"))}
    if kind == "multiple_choice":
        return {"choices": [v for v in (_int(x) for x in data.getlist("choices")) if v is not None]}
    if kind == "true_false":
        value = data.get("value")
        return {"value": {"true": True, "false": False}.get(value or "")}
    if kind in ("short_text", "free_text"):
        return {"text": data.get("text", "")}
    if kind == "number":
        return {"value": data.get("value", "")}
    if kind == "matching":
        n = len(definition["left"])
        return {"matches": [_int(data.get(f"match_{i}")) for i in range(n)]}
    if kind == "ordering":
        n = len(definition["items"])
        return {"order": [_int(data.get(f"rank_{r}")) for r in range(n)]}
    if kind == "fill_gaps":
        replies: list[dict[str, Any]] = []
        k = 0
        for seg in definition["segments"]:
            if isinstance(seg, str):
                continue
            gap_kind = seg["gap"]["kind"]
            raw = data.get(f"gap_{k}", "")
            if gap_kind == "single_choice":
                replies.append({"choice": _int(raw)})
            elif gap_kind == "number":
                replies.append({"value": raw})
            else:
                replies.append({"text": raw})
            k += 1
        return {"gaps": replies}
    return {}
