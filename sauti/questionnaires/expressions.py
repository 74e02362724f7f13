"""A small evaluator for the XLSForm expressions simple forms use (relevance and constraints), so the
web form works without JavaScript: `${q} = 'v'`, `selected(${q}, 'v')`, `. >= 0 and . <= 365`,
`. <= today()`, `not(...)`, `count-selected(${q})`, `string-length(.)`, and/or, arithmetic + - * div mod.

Anything outside this subset raises `Unsupported`; callers then accept the answer (ODK Collect and
Enketo evaluate the full XPath on the phone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<ref>\$\{[^}]+\})|"
    r"(?P<op><=|>=|!=|=|<|>|\(|\)|,|\+|-|\*)|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)|(?P<dot>\.))"
)


class Unsupported(ValueError):
    pass


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise Unsupported(expr)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _num(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, list):
        raise Unsupported("list")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise Unsupported(str(v)) from None


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or a == "":
        a = ""
    if b is None or b == "":
        b = ""
    if op in ("=", "!="):
        if isinstance(a, (int, float)) or isinstance(b, (int, float)):
            try:
                same = _num(a) == _num(b)
            except Unsupported:
                same = str(a) == str(b)
        else:
            same = str(a) == str(b)
        return same if op == "=" else not same
    if a == "" or b == "":
        return False
    x: Any
    y: Any
    try:
        x, y = _num(a), _num(b)
    except Unsupported:
        x, y = str(a), str(b)  # ISO dates compare as text
    return bool({"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op])


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], values: Mapping[str, Any], dot: Any) -> None:
        self.t, self.i, self.values, self.dot = tokens, 0, values, dot

    def peek(self) -> tuple[str, str]:
        return self.t[self.i] if self.i < len(self.t) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.peek()[0] != "end":
            raise Unsupported("trailing")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("name", "or"):
            self.take()
            right = self.and_()
            value = bool(value) or bool(right)
        return value

    def and_(self) -> Any:
        value = self.cmp()
        while self.peek() == ("name", "and"):
            self.take()
            right = self.cmp()
            value = bool(value) and bool(right)
        return value

    def cmp(self) -> Any:
        value = self.add()
        while self.peek()[1] in ("=", "!=", "<", "<=", ">", ">=") and self.peek()[0] == "op":
            op = self.take()[1]
            value = _compare(op, value, self.add())
        return value

    def add(self) -> Any:
        value = self.mul()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.mul()
            value = _num(value) + _num(right) if op == "+" else _num(value) - _num(right)
        return value

    def mul(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "*"), ("name", "div"), ("name", "mod")):
            op = self.take()[1]
            right = _num(self.unary())
            if op == "*":
                value = _num(value) * right
            elif right == 0:
                raise Unsupported("division by zero")
            else:
                value = _num(value) / right if op == "div" else _num(value) % right
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "-"):
            self.take()
            return -_num(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1]
        if kind == "ref":
            return self.values.get(text[2:-1])
        if kind == "dot":
            return self.dot
        if kind == "op" and text == "(":
            value = self.or_()
            if self.take() != ("op", ")"):
                raise Unsupported(")")
            return value
        if kind == "name" and self.peek() == ("op", "("):
            self.take()
            args: list[Any] = []
            if self.peek() != ("op", ")"):
                args.append(self.or_())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.or_())
            if self.take() != ("op", ")"):
                raise Unsupported(")")
            return self.call(text, args)
        raise Unsupported(text)

    def call(self, name: str, args: list[Any]) -> Any:
        functions: dict[str, Callable[..., Any]] = {
            "today": lambda: date.today().isoformat(),  # noqa: DTZ011 (a calendar day, as on the phone)
            "true": lambda: True,
            "false": lambda: False,
            "not": lambda a: not a,
            "selected": lambda a, b: str(b) in (a if isinstance(a, list) else str(a or "").split()),
            "count-selected": lambda a: len(a if isinstance(a, list) else str(a or "").split()),
            "string-length": lambda a: len(str(a or "")),
            "regex": lambda a, b: re.fullmatch(str(b), str(a or "")) is not None,
            "date": lambda a: str(a)[:10],
        }
        if name not in functions:
            raise Unsupported(name)
        try:
            return functions[name](*args)
        except TypeError:
            raise Unsupported(name) from None


def evaluate(expr: str, values: Mapping[str, Any], dot: Any = None) -> bool:
    """True/False for the expression; raises Unsupported outside the subset."""
    return bool(_Parser(_tokens(expr), values, dot).parse())


def holds(expr: str, values: Mapping[str, Any], dot: Any = None) -> bool:
    """The expression's value, or True when it is outside the subset (left to ODK)."""
    if not expr.strip():
        return True
    try:
        return evaluate(expr, values, dot)
    except (Unsupported, re.error):
        return True
