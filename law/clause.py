"""The late-payment clause printed on invoices (Code de commerce L441-9 for professionals).

A company may write its own clause, per language, with placeholders the invoice fills in:
``{rate}`` (the penalty rate, its basis and its figure), ``{indemnity}`` (the fixed recovery
indemnity), ``{due_date}`` (the due date, or each installment's date and amount) and
``{discount}`` (the early-payment discount terms, or the statement that there is none).

Only those bare names are accepted: no format specification, conversion, attribute or index
(``{rate:>9}``, ``{rate!r}``, ``{rate.real}``), so a clause can never reach into the values it
is given. A literal brace is written twice (``{{`` or ``}}``). The text is filled without
``str.format``: a stored text that slipped past the checks (written in SQL, or by an older
version) is detected by :func:`check_clause` and the caller prints the statutory text instead.
"""

import re
from string import Formatter

PLACEHOLDERS = ("rate", "indemnity", "due_date", "discount")


class ClauseError(ValueError):
    """A clause text that cannot be filled: ``unknown`` lists the placeholders that are not
    allowed (as written, braces included); ``malformed`` says a brace opens or closes nothing."""

    def __init__(self, unknown=(), malformed=False):
        self.unknown = tuple(unknown)
        self.malformed = malformed
        super().__init__(", ".join(self.unknown) if self.unknown else "unbalanced brace")


def _parse(text):
    try:
        return list(Formatter().parse(text))
    except ValueError as error:  # "Single '}' encountered", "expected '}' before end of string"
        raise ClauseError(malformed=True) from error


def check_clause(text):
    """Raise :class:`ClauseError` unless ``text`` only uses the allowed placeholders, bare."""
    unknown = []
    for _literal, name, spec, conversion in _parse(text or ""):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if written not in unknown:
                unknown.append(written)
    if unknown:
        raise ClauseError(unknown=unknown)


def uses(text, placeholder):
    """Whether a (valid) clause text uses a placeholder."""
    return any(name == placeholder for _literal, name, _spec, _conversion in _parse(text or ""))


def fill_clause(text, values):
    """``text`` with each placeholder replaced by ``values[name]``; raises :class:`ClauseError`
    for a text that :func:`check_clause` refuses. Runs of spaces left by an empty value are
    collapsed."""
    check_clause(text)
    parts = []
    for literal, name, _spec, _conversion in _parse(text or ""):
        parts.append(literal)
        if name is not None:
            parts.append(str(values.get(name, "")))
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip()
