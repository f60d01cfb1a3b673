"""SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths, parsed by scim2-filter-parser.

Two things are fixed here rather than in the library:
- Its grammar gives `and` and `or` the same precedence, so `a or b and c` parses as `(a or b) and c`.
  RFC 7644 says `and` binds tighter. `ScimParser` is the library's own grammar rebuilt with the
  RFC's precedence table (sly builds the tables when the class is made, so a plain subclass cannot
  change them).
- Its Django transpiler silently drops a condition on an attribute it does not know — `foo eq "x"`
  would list everyone. `to_q` refuses unknown attributes with `invalidFilter` instead.
"""

import sly
from django.db.models import Q
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler
from sly.yacc import ParserMeta

from integrations.scim.errors import ScimError


def _rebuild_with_rfc_precedence():
    namespace = ParserMeta.__prepare__("ScimParser", (sly.Parser,))
    for key, value in SCIMParser.__dict__.items():
        if key in {"tokens", "start", "error"} or hasattr(value, "rules"):
            namespace[key] = value
    namespace["precedence"] = (("left", "OR"), ("left", "AND"), ("right", "NOT"))
    return ParserMeta("ScimParser", (sly.Parser,), namespace)


ScimParser = _rebuild_with_rfc_precedence()

MAX_FILTER_LENGTH = 1000


def parse(text):
    if len(text) > MAX_FILTER_LENGTH:
        raise ScimError(400, "invalidFilter", "The filter is too long.")
    try:
        tree = ScimParser().parse(SCIMLexer().tokenize(text))
    except (SCIMParserError, sly.lex.LexError, IndexError, TypeError, ValueError):
        tree = None
    if tree is None:
        raise ScimError(400, "invalidFilter", "The filter could not be parsed.")
    return tree


class StrictTranspiler(Transpiler):
    """The library's Django Q transpiler, refusing attributes and operators it cannot honour."""

    def __init__(self, attr_map, exact_fields=()):
        super().__init__(attr_map)
        self.exact_fields = set(exact_fields)

    def visit_AttrPath(self, node):
        field = super().visit_AttrPath(node)
        if field is None:
            name = node.attr_name if isinstance(node.attr_name, str) else "a complex attribute"
            raise ScimError(400, "invalidFilter", f"Filtering on {name} is not supported.")
        return field

    def visit_AttrExpr(self, node):
        if isinstance(node.attr_path.attr_name, scim_ast.Filter):
            raise ScimError(400, "invalidFilter", "Value-path filters are not supported on this resource.")
        field = self.visit(node.attr_path)
        op = node.value.lower()
        if field in self.exact_fields:
            value = self.visit(node.comp_value) if node.comp_value else None
            if op == "pr":
                return Q(**{f"{field}__isnull": False})
            lookup = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}.get(op)
            if lookup is None:
                raise ScimError(400, "invalidFilter", f"'{op}' does not apply to this attribute.")
            query = Q(**{f"{field}__{lookup}": value})
            return ~query if op == "ne" else query
        query = super().visit_AttrExpr(node)
        if op == "pr":
            # Present means non-empty too: our text columns hold "" rather than NULL.
            query &= ~Q(**{f"{field}__exact": ""})
        return query


def to_q(text, attr_map, exact_fields=()):
    return StrictTranspiler(attr_map, exact_fields).transpile(parse(text))
