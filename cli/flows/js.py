"""Windmill's JavaScript expressions (input transforms, `skip_if`, `stop_after_if`, branch conditions,
loop iterators), evaluated as its worker evaluates them: a few plain lookups answered directly, the
rest by QuickJS, the engine Windmill embeds.

The scope holds `flow_input` (with `iter` inside loops), `results` (step id -> result),
`previous_result`, `flow_env`, and where they apply `result`, `params`, `resume`, `resumes`,
`approvers`; `variable(path)` and `resource(path)` read the workspace's. An expression is an
expression (`results.a.x + 1`) or a function body (`let y = 1; return y`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import quickjs  # imported with the flow's module, once: every round of the run is forked from there

_FULL = re.compile(r"^(results|flow_env)(?:\?)?\.([a-zA-Z_0-9]+)(?:\[(\d+)\])?((?:\.[a-zA-Z_0-9]+)+)?$")
_FETCHED = re.compile(r"\b(variable|resource)\(\s*(['\"`])([^'\"`]+)\2\s*\)")
_STATEMENT = re.compile(r"^(return|const|let|var|if|for|while|switch|try|throw|function|class|async|await)\b")
# variable('path') and resource('path'): the workspace's values, read before the expression runs
_HELPERS = ("const variable = (p) => __fetched['variable:' + p] ?? null; "
            "const resource = (p) => __fetched['resource:' + p] ?? null;")
TIME_LIMIT_SECONDS = 20
MEMORY_LIMIT = 32 * 1024 * 1024


class ExpressionError(Exception):
    """An expression that does not evaluate (a syntax error, an exception); the message says which."""


class Evaluator:
    """One QuickJS context per flow run (created on first use), evaluating with a fresh scope each time."""

    def __init__(self, fetch: Callable[[str, str], Any] | None = None) -> None:
        """`fetch(kind, path)`: a variable's or resource's value (the paths an expression names literally)."""
        self._fetch = fetch or (lambda kind, path: None)
        self._context = None
        self._functions: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._plans: dict[tuple[str, tuple[str, ...]], tuple] = {}
        self._warm = None

    def eval(self, expr: str, scope: dict[str, Any]) -> Any:
        expr = expr.strip()
        found, value = _direct(expr, scope)
        if found:
            return value
        return self._quickjs(expr, scope)

    def truthy(self, expr: str, scope: dict[str, Any]) -> bool:
        """A condition, as Windmill wraps it: `Boolean(expr)`."""
        return bool(self._quickjs(f"Boolean({expr.strip()})", scope))

    def _quickjs(self, expr: str, scope: dict[str, Any]) -> Any:
        plan = self._plans.get((expr, tuple(scope)))
        if plan is None:
            plan = self._plans[(expr, tuple(scope))] = self._plan(expr, scope)
        function, names, with_error, fetches = plan
        args = [scope[name] for name in names]
        if with_error:
            previous = scope["previous_result"]
            args.append(previous.get("error") if isinstance(previous, dict) else None)
        if fetches:
            args.append({f"{kind}:{path}": self._fetch(kind, path) for kind, path in fetches})
        parse = self._open().parse_json
        try:
            text = function(*[parse(_json(arg)) for arg in args])
        except Exception as exc:  # quickjs.JSException and its kin: the expression's own fault
            raise ExpressionError(_failed(expr, exc)) from None
        return json.loads(text) if isinstance(text, str) else None

    def _plan(self, expr: str, scope: dict[str, Any]):
        """What evaluating `expr` takes: its compiled function, the scope names it reads, its fetches."""
        names = [name for name in scope if name.isidentifier() and name in expr]
        with_error = "error" in expr and "previous_result" in scope and "error" not in scope
        fetches = [(kind, path) for kind, _, path in _FETCHED.findall(expr)]
        parameters = names + (["error"] if with_error else []) + (["__fetched"] if fetches else [])
        try:
            function = self._compiled(expr, tuple(parameters))
        except Exception as exc:
            raise ExpressionError(_failed(expr, exc)) from None
        return function, names, with_error, fetches

    def _compiled(self, expr: str, names: tuple[str, ...]):
        """The expression as a function of the scope names it uses (compiled once per run)."""
        key = (expr, names)
        if key not in self._functions:
            body = expr if _is_statement(expr) else f"return {expr};"
            helpers = _HELPERS if "__fetched" in names else ""
            name = f"__wac_{len(self._functions)}"
            self._open().eval(f"globalThis.{name} = function({', '.join(names)}) "
                              f"{{ return JSON.stringify((function() {{ {helpers} {body} }})() ?? null); }}")
            self._functions[key] = self._open().get(name)
        return self._functions[key]

    def prepare(self, expressions: list[str] = (), scope: dict[str, Any] | None = None) -> None:
        """Start the engine, and compile `expressions` for a scope with `scope`'s names, now rather than at their
        first use (a flow's host does it once; every round forked from it then only calls them)."""
        self._warm = self._compiled("null", ("value",))
        for expr in expressions:
            expr = expr.strip()
            key = (expr, tuple(scope or {}))
            if key not in self._plans:
                try:
                    self._plans[key] = self._plan(expr, scope or {})
                except ExpressionError:
                    pass  # the step that uses it fails with it, when it runs

    def warm(self) -> None:
        """Call the engine once the way an expression is called (a forked round then evaluates its first
        expression at full speed): with a function compiled by `prepare`, so no global is added here."""
        if self._warm is not None:
            self._warm(self._open().parse_json(_json(None)))

    def _open(self):
        if self._context is None:
            context = quickjs.Context()
            context.set_time_limit(TIME_LIMIT_SECONDS)
            context.set_memory_limit(MEMORY_LIMIT)
            self._context = context
        return self._context


def _failed(expr: str, exc: Exception) -> str:
    """Windmill's words for an expression that fails."""
    return f"Error during isolated evaluation of expression `{expr}`:\nQuickJS evaluation error: {exc}".rstrip()


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json(value: Any) -> str:
    """JSON of a scope value (C-fast; anything JSON cannot hold is sent as its text, as results are stored)."""
    try:
        return _ENCODER.encode(value)
    except TypeError:
        return json.dumps(value, default=str, ensure_ascii=False)


def _direct(expr: str, scope: dict[str, Any]) -> tuple[bool, Any]:
    """Windmill's fast paths: a scope name alone, `flow_input.x`, `results.<step>...` lookups."""
    if expr in scope and expr != "results":
        return True, scope[expr]
    for name in ("flow_input", "flow_env"):
        base = scope.get(name)
        if isinstance(base, dict) and expr.startswith(name + "."):
            key = expr[len(name) + 1:]
            if key in base:
                return True, base[key]
    match = _FULL.match(expr)
    if match and isinstance(scope.get(match.group(1)), dict):
        value: Any = scope[match.group(1)].get(match.group(2))
        if match.group(3) is not None:
            value = value[int(match.group(3))] if isinstance(value, list) and int(match.group(3)) < len(value) else None
        for part in (match.group(4) or "").split(".")[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return True, value
    return False, None


def _is_statement(expr: str) -> bool:
    """A function body rather than an expression: it starts with a statement or has a `;` outside quotes."""
    if _STATEMENT.match(expr):
        return True
    quote = None
    for ch in expr:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == ";":
            return True
    return False
