"""The safe expressions of a programme definition (`require: {expression: "a > b"}`).

Evaluated by simpleeval, never by eval(). A definition from a directory is untrusted input,
so an expression is held to a small grammar before it is ever evaluated: field names,
literals, arithmetic, comparisons and `and`/`or`/`not` — no attribute access
(`good_credit.__class__`), calls (`.format`, functions), lambdas, comprehensions,
f-strings or `%` string formatting — at most MAX_LENGTH characters and MAX_DEPTH levels
deep. `programmes check` then evaluates each one against typed sample values of its
fields, so what would fail at submit (`9**9**9`, a date compared with a number) fails there,
naming the file, line and expression.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

MAX_LENGTH = 500
MAX_DEPTH = 30

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.IfExp,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
)
_WHAT = {
    ast.Attribute: "attribute access",
    ast.Call: "a function or method call",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Subscript: "subscripting",
    ast.NamedExpr: "an assignment expression",
    ast.Starred: "unpacking",
    ast.Dict: "a dict",
    ast.Slice: "slicing",
}


class ExpressionError(ValueError):
    """An expression a definition may not hold, or one that cannot be evaluated."""


def parse_expression(text: str) -> ast.Expression:
    """The checked syntax tree of `text`; ExpressionError says what is not allowed."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; at most {MAX_LENGTH}")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"expression {_short(text)} does not parse: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(
            f"expression {_short(text)} is nested too deeply to read (at most {MAX_DEPTH} levels)"
        ) from None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"expression {_short(text)} is nested {depth} levels deep; at most "
            f"{MAX_DEPTH} (split it into several criteria)"
        )
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = _WHAT.get(type(node), type(node).__name__)
            raise ExpressionError(
                f"expression {_short(text)} uses {what}, which a condition may "
                "not: compare fields and literals with arithmetic, comparisons "
                "and and/or/not"
            )
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            raise ExpressionError(f"expression {_short(text)} uses string formatting (%), which a condition may not")
    return tree


def _depth(tree: ast.AST) -> int:
    """How deep the tree goes, without recursion (a hostile tree may be thousands deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


class NameMissing(LookupError):
    """The expression reads a field the case has no value for."""


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """The expression's value over `names` (simpleeval, with its limits on powers and string
    lengths). NameMissing for a field without a value; ExpressionError for anything else."""
    from simpleeval import EvalWithCompoundTypes, NameNotDefined

    parse_expression(text)
    values = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in names.items()}
    try:
        return EvalWithCompoundTypes(names=values, functions={}).eval(text)
    except NameNotDefined as error:
        raise NameMissing(str(error)) from None
    except Exception as error:  # simpleeval's refusals and the arithmetic's own errors
        raise ExpressionError(
            f"expression {_short(text)} cannot be evaluated: {type(error).__name__}: {error}"
        ) from None


def sample_value(type_: str, choices: list[str] | None = None) -> Any:
    """A typical value of a field type, to try an expression with before it is ever used."""
    return {
        "bool": True,
        "number": 1000.0,
        "int": 3,
        "ratio": 0.5,
        "date": date(2024, 1, 1).isoformat(),
        "text": "样例",
        "choice": (choices or ["x"])[0],
        "ground": (choices or ["x"])[0],
    }.get(type_)
