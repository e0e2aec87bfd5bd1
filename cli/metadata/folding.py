"""Line folding at 80 columns, ported from the npm `yaml` package's foldFlowLines."""

from __future__ import annotations

FOLD_FLOW = "flow"
FOLD_BLOCK = "block"
FOLD_QUOTED = "quoted"
LINE_WIDTH = 80
MIN_CONTENT_WIDTH = 20


def fold_lines(
    text: str,
    indent: str,
    mode: str,
    indent_at_start: int | None,
    *,
    report_overflow: bool = False,
):
    """Fold `text` at spaces so lines fit; returns text, or (text, overflowed)."""
    folded, overflow = _fold(text, indent, mode, indent_at_start)
    return (folded, overflow) if report_overflow else folded


def _fold(text: str, indent: str, mode: str, indent_at_start: int | None) -> tuple[str, bool]:
    end_step = max(1 + MIN_CONTENT_WIDTH, 1 + LINE_WIDTH - len(indent))
    if len(text) <= end_step:
        return text, False
    folds: list[int] = []
    escaped_folds: set[int] = set()
    end = LINE_WIDTH - len(indent)
    if indent_at_start is not None:
        if indent_at_start > LINE_WIDTH - max(2, MIN_CONTENT_WIDTH):
            folds.append(0)
        else:
            end = LINE_WIDTH - indent_at_start
    split: int | None = None
    prev: str | None = None
    overflow = False
    i = -1
    esc_start = esc_end = -1
    if mode == FOLD_BLOCK:
        i = _more_indented(text, i, len(indent))
        if i != -1:
            end = i + end_step
    while True:
        i += 1
        if i >= len(text):
            break
        ch = text[i]
        if mode == FOLD_QUOTED and ch == "\\":
            esc_start = i
            i += {"x": 3, "u": 5, "U": 9}.get(text[i + 1] if i + 1 < len(text) else "", 1)
            esc_end = i
        if ch == "\n":
            if mode == FOLD_BLOCK:
                i = _more_indented(text, i, len(indent))
            end = i + len(indent) + end_step
            split = None
        else:
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if ch == " " and prev and prev not in " \n\t" and nxt and nxt not in " \n\t":
                split = i
            if i >= end:
                if split:
                    folds.append(split)
                    end = split + end_step
                    split = None
                elif mode == FOLD_QUOTED:
                    while prev in (" ", "\t"):
                        prev = ch
                        i += 1
                        ch = text[i] if i < len(text) else ""
                        overflow = True
                    j = i - 2 if i > esc_end + 1 else esc_start - 1
                    if j in escaped_folds:
                        return text, overflow
                    folds.append(j)
                    escaped_folds.add(j)
                    end = j + end_step
                    split = None
                else:
                    overflow = True
        prev = ch
    if not folds:
        return text, overflow
    out = text[: folds[0]]
    for index, fold in enumerate(folds):
        stop = folds[index + 1] if index + 1 < len(folds) else len(text)
        if fold == 0:
            out = f"\n{indent}{text[0:stop]}"
        else:
            if mode == FOLD_QUOTED and fold in escaped_folds:
                out += f"{text[fold]}\\"
            out += f"\n{indent}{text[fold + 1:stop]}"
    return out, overflow


def _more_indented(text: str, i: int, indent: int) -> int:
    end = i
    start = i + 1
    ch = text[start] if start < len(text) else ""
    while ch in (" ", "\t") and ch:
        if i < start + indent:
            i += 1
            ch = text[i] if i < len(text) else ""
        else:
            while True:
                i += 1
                ch = text[i] if i < len(text) else ""
                if not ch or ch == "\n":
                    break
            end = i
            start = i + 1
            ch = text[start] if start < len(text) else ""
    return end
