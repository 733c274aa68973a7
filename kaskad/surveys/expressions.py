"""The XPath subset a survey's `relevant` and `constraint` columns may use: parsed once at
import into a small tree (plain lists, JSON-safe), then evaluated on the server (every
submission is checked here, whatever the browser did) and, from the same tree, by
`static/surveys/form.js` in the browser. Nothing is ever handed to `eval`.

Supported: `${name}` references, `.` (the answer itself, constraints only), numbers, strings
in single or double quotes, `=`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `+`, `-`, `*`,
`div`, `mod`, unary minus, parentheses, and the functions `not()`, `selected(${x}, 'v')`,
`count-selected(${x})`, `string-length()`. Anything else is refused with its position.

Plain Python, no Django: the tests run it without a database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

Node = list[Any]

FUNCTIONS = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1}
COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}
ARITHMETIC = {"+", "-", "*", "div", "mod"}

TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_.-]*)\})
      | (?P<num>\d+(?:\.\d+)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<dot>\.(?![\w.]))
      | (?P<name>[A-Za-z][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression outside the supported subset; `position` is the 0-based character."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos]!r}", pos)
        start = match.start(match.lastgroup or 0)
        kind = match.lastgroup or ""
        if kind == "ref" or kind == "refname":
            out.append(("ref", match.group("refname"), start))
        elif kind == "num":
            out.append(("num", match.group("num"), start))
        elif kind == "str":
            out.append(("str", match.group("str")[1:-1], start))
        elif kind == "op":
            out.append(("op", match.group("op"), start))
        elif kind == "dot":
            out.append(("dot", ".", start))
        else:
            word = match.group("name")
            kind = "op" if word in {"and", "or", "div", "mod"} else "name"
            out.append((kind, word, start))
        pos = match.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    # Precedence, lowest first: or, and, comparison, additive, multiplicative, unary.
    def __init__(self, text: str, *, allow_dot: bool) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.allow_dot = allow_dot

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, value: str) -> None:
        kind, text, pos = self.take()
        if kind != "op" or text != value:
            raise ExpressionError(f"expected {value!r}", pos)

    def parse(self) -> Node:
        node = self.or_()
        kind, text, pos = self.peek()
        if kind != "end":
            raise ExpressionError(f"unexpected {text!r}", pos)
        return node

    def _binary(self, ops: set[str], lower: Any) -> Node:
        node = lower()
        while self.peek()[0] == "op" and self.peek()[1] in ops:
            op = self.take()[1]
            node = [op, node, lower()]
        return list(node)

    def or_(self) -> Node:
        return self._binary({"or"}, self.and_)

    def and_(self) -> Node:
        return self._binary({"and"}, self.comparison)

    def comparison(self) -> Node:
        return self._binary(COMPARISONS, self.additive)

    def additive(self) -> Node:
        return self._binary({"+", "-"}, self.multiplicative)

    def multiplicative(self) -> Node:
        return self._binary({"*", "div", "mod"}, self.unary)

    def unary(self) -> Node:
        if self.peek() == ("op", "-", self.peek()[2]):
            self.take()
            return ["neg", self.unary()]
        return self.primary()

    def primary(self) -> Node:
        kind, text, pos = self.take()
        if kind == "num":
            return ["num", float(text)]
        if kind == "str":
            return ["str", text]
        if kind == "ref":
            return ["ref", text]
        if kind == "dot":
            if not self.allow_dot:
                raise ExpressionError("“.” (this answer) is allowed in constraints only", pos)
            return ["dot"]
        if kind == "op" and text == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind == "name":
            if text not in FUNCTIONS:
                raise ExpressionError(f"unsupported function or name {text!r}", pos)
            self.expect("(")
            args: list[Node] = []
            if not (self.peek()[0] == "op" and self.peek()[1] == ")"):
                args.append(self.or_())
                while self.peek()[0] == "op" and self.peek()[1] == ",":
                    self.take()
                    args.append(self.or_())
            self.expect(")")
            if len(args) != FUNCTIONS[text]:
                raise ExpressionError(f"{text}() takes {FUNCTIONS[text]} argument(s)", pos)
            return ["call", text, *args]
        if kind == "end":
            raise ExpressionError("the expression ends too early", pos)
        raise ExpressionError(f"unexpected {text!r}", pos)


def parse(text: str, *, allow_dot: bool = False) -> Node:
    """The tree of `text`; ExpressionError when it leaves the supported subset."""
    if not text.strip():
        raise ExpressionError("empty expression", 0)
    return _Parser(text, allow_dot=allow_dot).parse()


def references(node: Node) -> set[str]:
    """The `${name}`s a tree reads."""
    if node[0] == "ref":
        return {node[1]}
    found: set[str] = set()
    for part in node[1:]:
        if isinstance(part, list):
            found |= references(part)
    return found


# --- Evaluation ----------------------------------------------------------------------------------
#
# Values follow XForms: an unanswered question is the empty string; a select_multiple answer is
# its choice names separated by spaces; numbers are numbers.


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return math.nan


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not math.isnan(value) and value != 0
    return str(value) != ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    numeric = isinstance(left, (int, float)) or isinstance(right, (int, float))
    if op in {"=", "!="} and not numeric:
        equal = _text(left) == _text(right)
        return equal if op == "=" else not equal
    a, b = _number(left), _number(right)
    if math.isnan(a) or math.isnan(b):
        return op == "!="
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def evaluate(node: Node, values: Mapping[str, Any], current: Any = "") -> Any:
    """The value of `node` with the answers `values` (name → value) and `.` = `current`."""
    head = node[0]
    if head == "num":
        return node[1]
    if head == "str":
        return node[1]
    if head == "ref":
        value = values.get(node[1], "")
        return "" if value is None else value
    if head == "dot":
        return "" if current is None else current
    if head == "neg":
        return -_number(evaluate(node[1], values, current))
    if head == "and":
        return _truth(evaluate(node[1], values, current)) and _truth(
            evaluate(node[2], values, current)
        )
    if head == "or":
        return _truth(evaluate(node[1], values, current)) or _truth(
            evaluate(node[2], values, current)
        )
    if head in COMPARISONS:
        return _compare(
            head, evaluate(node[1], values, current), evaluate(node[2], values, current)
        )
    if head in ARITHMETIC:
        a = _number(evaluate(node[1], values, current))
        b = _number(evaluate(node[2], values, current))
        if head == "+":
            return a + b
        if head == "-":
            return a - b
        if head == "*":
            return a * b
        if b == 0 or math.isnan(a) or math.isnan(b):
            return math.nan
        return a / b if head == "div" else math.fmod(a, b)
    if head == "call":
        name, args = node[1], node[2:]
        if name == "not":
            return not _truth(evaluate(args[0], values, current))
        if name == "selected":
            chosen = _text(evaluate(args[0], values, current)).split()
            return _text(evaluate(args[1], values, current)) in chosen
        if name == "count-selected":
            return float(len(_text(evaluate(args[0], values, current)).split()))
        if name == "string-length":
            return float(len(_text(evaluate(args[0], values, current))))
    raise ValueError(f"unknown node {head!r}")  # a tree this module did not build


def holds(node: Node | None, values: Mapping[str, Any], current: Any = "") -> bool:
    """Whether the condition holds (no condition: it does)."""
    return True if node is None else _truth(evaluate(node, values, current))
