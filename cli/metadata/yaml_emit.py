"""YAML text exactly as the wmill CLI writes it (npm `yaml` with its options).

The CLI calls `yaml.stringify(value, {sortMapEntries, singleQuote: true})`:
block style, 2-space indent, sequences indented under their key, keys
ordered by `prioritize_name` + `localeCompare`, strings plain when safe,
single-quoted when not, `|-`/`>` blocks for multi-line text, long lines
folded at 80 columns. This module ports those rules for JSON-like data.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .collation import locale_key
from .folding import FOLD_BLOCK, FOLD_FLOW, FOLD_QUOTED, fold_lines

LINE_WIDTH = 80
_STEP = "  "
_PRIORITY = {
    "version": "aaa", "id": "aa", "type": "ab", "summary": "ad", "name": "ae", "display_name": "af",
    "description": "ag", "value": "ah", "content": "ai", "modules": "aj", "failure_module": "ak",
    "input_transforms": "al", "lock": "az", "locks": "azz",
}
_CORE_TAGS = re.compile(
    r"^(?:~|[Nn]ull|NULL)?$|^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$"
    r"|^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"
    r"|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$"
    r"|^0o[0-7]+$|^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$"
)
_NEEDS_QUOTES = re.compile(
    r"^[\n\t ,\[\]{}#&*!|>'\"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_DOCUMENT_MARKER = re.compile(r"^(%|---|\.\.\.)", re.M)
_SAFE_PLAIN = re.compile(r"[A-Za-z_$/][A-Za-z0-9_$/.\-]*\Z")
_SAFE_PLAIN_MAX = 60


def dump(value: Any) -> str:
    """The YAML document for `value`, newline-terminated."""
    return _node(value, "", None) + "\n"


@lru_cache(maxsize=4096)
def sort_key(key: str) -> tuple:
    return locale_key(_PRIORITY.get(key, key))


def _node(value: Any, indent: str, indent_at_start: int | None) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pairs = sorted(value.items(), key=lambda kv: sort_key(str(kv[0])))
        return f"\n{indent}".join(_pair(str(k), v, indent) for k, v in pairs)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        item_indent = indent + _STEP
        return f"\n{indent}".join("- " + _node(item, item_indent, None) for item in value)
    return _scalar(value, indent, indent_at_start, implicit_key=False)


def _pair(key: str, value: Any, indent: str) -> str:
    inner = indent + _STEP
    head = _scalar(key, inner, None, implicit_key=True) + ":"
    if isinstance(value, (dict, list, tuple)) and value:
        return f"{head}\n{inner}{_node(value, inner, None)}"
    text = _node(value, inner, len(head) + 1)
    return head + ("" if text.startswith("\n") else " ") + text


def _scalar(value: Any, indent: str, indent_at_start: int | None, *, implicit_key: bool) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    return _string(str(value), indent, indent_at_start, implicit_key)


def js_number(value: float) -> str:
    """A float as JavaScript prints it (`1e+21`, `1.5e-7`, `2`), or YAML's .nan/.inf."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)
    k, n = len(digits), point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        e = n - 1
        body = (digits[0] + ("." + digits[1:] if k > 1 else "")) + f"e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def _string(value: str, indent: str, indent_at_start: int | None, implicit_key: bool) -> str:
    if len(value) <= _SAFE_PLAIN_MAX and _SAFE_PLAIN.match(value) and not _CORE_TAGS.match(value):
        return value  # the common case: an identifier-like word stays plain and unfolded
    if _CONTROL.search(value):
        return _double_quoted(value, indent, indent_at_start, implicit_key)
    if implicit_key and "\n" in value:
        return _quoted(value, indent, indent_at_start, implicit_key)
    if _NEEDS_QUOTES.search(value):
        if implicit_key or "\n" not in value:
            return _quoted(value, indent, indent_at_start, implicit_key)
        return _block(value, indent, indent_at_start, implicit_key, force_indent=False)
    if not implicit_key and "\n" in value:
        return _block(value, indent, indent_at_start, implicit_key, force_indent=False)
    if _DOCUMENT_MARKER.search(value):
        if indent == "":
            return _block(value, indent, indent_at_start, implicit_key, force_indent=True)
        if implicit_key and indent == _STEP:
            return _quoted(value, indent, indent_at_start, implicit_key)
    text = re.sub(r"\n+", lambda m: m.group(0) + "\n" + indent, value)
    if _CORE_TAGS.search(text):
        return _quoted(value, indent, indent_at_start, implicit_key)
    return text if implicit_key else fold_lines(text, indent, FOLD_FLOW, indent_at_start)


def _quoted(value: str, indent: str, indent_at_start: int | None, implicit_key: bool) -> str:
    if '"' in value and "'" not in value:
        return _single_quoted(value, indent, indent_at_start, implicit_key)
    if "'" in value and '"' not in value:
        return _double_quoted(value, indent, indent_at_start, implicit_key)
    return _single_quoted(value, indent, indent_at_start, implicit_key)


def _single_quoted(value: str, indent: str, indent_at_start: int | None, implicit_key: bool) -> str:
    if (implicit_key and "\n" in value) or re.search(r"[ \t]\n|\n[ \t]", value):
        return _double_quoted(value, indent, indent_at_start, implicit_key)
    pad = indent or ("  " if _DOCUMENT_MARKER.search(value) else "")
    body = re.sub(r"\n+", lambda m: m.group(0) + "\n" + pad, value.replace("'", "''"))
    text = f"'{body}'"
    return text if implicit_key else fold_lines(text, pad, FOLD_FLOW, indent_at_start)


_SHORT_ESCAPES = {"0000": "\\0", "0007": "\\a", "000b": "\\v", "001b": "\\e", "0085": "\\N",
                  "00a0": "\\_", "2028": "\\L", "2029": "\\P"}


def _double_quoted(value: str, indent: str, indent_at_start: int | None, implicit_key: bool) -> str:
    raw = _js_json_string(value)
    pad = indent or ("  " if _DOCUMENT_MARKER.search(value) else "")
    out, start, i = [], 0, 0
    while i < len(raw):
        ch = raw[i]
        if ch == " " and raw[i + 1 : i + 3] == "\\n":
            out.append(raw[start:i] + "\\ ")
            i += 1
            start = i
            ch = "\\"
        if ch == "\\":
            nxt = raw[i + 1 : i + 2]
            if nxt == "u":
                out.append(raw[start:i])
                code = raw[i + 2 : i + 6]
                out.append(_SHORT_ESCAPES.get(code) or ("\\x" + code[2:] if code[:2] == "00" else raw[i : i + 6]))
                i += 5
                start = i + 1
            elif nxt == "n":
                if implicit_key or raw[i + 2 : i + 3] == '"' or len(raw) < 40:
                    i += 1
                else:
                    out.append(raw[start:i] + "\n\n")
                    while raw[i + 2 : i + 4] == "\\n" and raw[i + 4 : i + 5] != '"':
                        out.append("\n")
                        i += 2
                    out.append(pad)
                    if raw[i + 2 : i + 3] == " ":
                        out.append("\\")
                    i += 1
                    start = i + 1
            else:
                i += 1
        i += 1
    text = "".join(out) + raw[start:] if start else raw
    return text if implicit_key else fold_lines(text, pad, FOLD_QUOTED, indent_at_start)


def _js_json_string(value: str) -> str:
    """`JSON.stringify(string)`: like Python's, but never escaping non-ASCII."""
    return json.dumps(value, ensure_ascii=False)


def _block(value: str, indent: str, indent_at_start: int | None, implicit_key: bool, *, force_indent: bool) -> str:
    if re.search(r"\n[\t ]+$", value):
        return _quoted(value, indent, indent_at_start, implicit_key)
    pad = indent or ("  " if force_indent or _DOCUMENT_MARKER.search(value) else "")
    literal = not _line_over_limit(value, len(pad))
    if not value:
        return "|\n" if literal else ">\n"
    end_start = len(value)
    while end_start > 0 and value[end_start - 1] in "\n\t ":
        end_start -= 1
    end = value[end_start:]
    nl = end.find("\n")
    if nl == -1:
        chomp = "-"
    elif value == end or nl != len(end) - 1:
        chomp = "+"
    else:
        chomp = ""
    if end:
        value = value[: -len(end)]
        if end.endswith("\n"):
            end = end[:-1]
        end = re.sub(r"(^|(?<!\n))\n+(?!\n|$)", lambda m: m.group(0) + pad, end)
    start_with_space, start_nl, start_end = False, -1, 0
    while start_end < len(value):
        ch = value[start_end]
        if ch == " ":
            start_with_space = True
        elif ch == "\n":
            start_nl = start_end
        else:
            break
        start_end += 1
    start = value[: start_nl + 1 if start_nl < start_end else start_end]
    if start:
        value = value[len(start):]
        start = re.sub(r"\n+", lambda m: m.group(0) + pad, start)
    header = ("2" if pad else "1") * start_with_space + chomp
    if not literal:
        folded = re.sub(r"\n+", lambda m: "\n" + m.group(0), value)
        folded = re.sub(r"(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?",
                        lambda m: (m.group(1) or "") + (m.group(2) or ""), folded)
        folded = re.sub(r"\n+", lambda m: m.group(0) + pad, folded)
        body, overflow = fold_lines(f"{start}{folded}{end}", pad, FOLD_BLOCK, len(pad), report_overflow=True)
        if not overflow:
            return f">{header}\n{pad}{body}"
    value = re.sub(r"\n+", lambda m: m.group(0) + pad, value)
    return f"|{header}\n{pad}{start}{value}{end}"


def _line_over_limit(text: str, indent_length: int) -> bool:
    limit = LINE_WIDTH - indent_length
    if len(text) <= limit:
        return False
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            if i - start > limit:
                return True
            start = i + 1
            if len(text) - start <= limit:
                return False
    return True
