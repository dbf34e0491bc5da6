"""Which level comes next, and which letters a customer gets today.

The rules (README, *The daily run*):

- A receivable line climbs its policy's levels in order of their delay (days after its due
  date; negative for a courtesy reminder before it). It never goes back and never receives
  a level twice: only levels beyond the furthest one it already received count.
- A courtesy level is only for a line not yet due; once the line is late it is pointless.
- Without skipping, a line gets only the very next level of the ladder, on or after that
  level's day; when the policy allows skipping, the furthest level whose day has come.
- A customer gets at most one letter per currency and day, listing every line due for a
  level, each with its own level; the letter speaks at the highest level of its lines.
- No letter at all when the customer's last letter is more recent than the minimum gap of
  the highest level due today (at least one day: never two letters on one day).
- No letter in a currency whose total due (in company currency) is under the minimum
  amount of that letter's level, compared at the company currency's precision.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# Why the lines a decision looked at got no letter, as counted on the run.
NOT_DUE = "not_due"
GAP = "gap"
MIN_AMOUNT = "min_amount"


@dataclass(frozen=True, slots=True)
class LevelStep:
    """A level as the decision sees it. ``min_gap_days`` is the effective gap (the level's own
    or the company's, at least 1); ``min_amount`` is in company currency."""

    id: int
    delay_days: int
    min_gap_days: int = 1
    min_amount: float = 0.0


@dataclass(frozen=True, slots=True)
class CandidateLine:
    """An open receivable line that may be reminded. ``amount_residual`` is in company currency
    (the minimum amount rule), ``amount_residual_currency`` in the line's currency (what the
    letter states); ``reached_delay`` is the delay of the furthest level it already received."""

    id: int
    currency_id: int
    date_maturity: date
    amount_residual: float
    reached_delay: int | None = None
    move_id: int | None = None
    amount_residual_currency: float = 0.0


@dataclass(frozen=True, slots=True)
class PlannedLetter:
    """One letter to make: its currency, its level (the highest of its lines) and its lines,
    each with the level it receives."""

    currency_id: int
    level: LevelStep
    items: tuple[tuple[CandidateLine, LevelStep], ...]


@dataclass(slots=True)
class CustomerLetters:
    """What a customer gets today, and how many of its lines got nothing, by reason."""

    letters: list[PlannedLetter] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys((NOT_DUE, GAP, MIN_AMOUNT), 0))


def next_level(levels, days_late, reached_delay, allow_skip):
    """The level a line calls for today, or None.

    ``levels``: the policy's levels sorted by delay (anything with ``delay_days``);
    ``days_late``: today minus the line's due date, in days (negative before it);
    ``reached_delay``: the delay of the furthest level the line received, or None;
    ``allow_skip``: the policy lets a line jump to the furthest level due.
    """
    pending = [
        level
        for level in levels
        if (reached_delay is None or level.delay_days > reached_delay) and (level.delay_days < 0) == (days_late < 0)
    ]
    if not pending:
        return None
    if allow_skip:
        due = [level for level in pending if level.delay_days <= days_late]
        return due[-1] if due else None
    return pending[0] if pending[0].delay_days <= days_late else None


def _at_precision(amount, rounding):
    """``amount`` rounded half-up to a multiple of ``rounding`` (the currency's smallest unit)."""
    step = Decimal(str(rounding))
    return (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def customer_letters(lines, levels, on_date, *, allow_skip, last_letter_date, rounding):
    """The letters one customer gets on ``on_date``.

    ``lines``: the customer's candidate lines (``CandidateLine``), in the order the letters
    list them; ``levels``: its policy's levels (``LevelStep``) sorted by delay;
    ``last_letter_date``: the date of its last letter not cancelled, or None; ``rounding``:
    the company currency's smallest unit, for the minimum amount. Letters come in the order
    their currency first appears among the lines.
    """
    result = CustomerLetters()
    by_currency = {}
    for line in lines:
        level = next_level(levels, (on_date - line.date_maturity).days, line.reached_delay, allow_skip)
        if level is None:
            result.skipped[NOT_DUE] += 1
        else:
            by_currency.setdefault(line.currency_id, []).append((line, level))
    if not by_currency:
        return result
    highest = max((level for items in by_currency.values() for _line, level in items), key=_delay)
    if last_letter_date and (on_date - last_letter_date).days < highest.min_gap_days:
        result.skipped[GAP] += sum(len(items) for items in by_currency.values())
        return result
    for currency_id, items in by_currency.items():
        level = max((level for _line, level in items), key=_delay)
        total = sum(line.amount_residual for line, _level in items)
        if _at_precision(total, rounding) < _at_precision(level.min_amount, rounding):
            result.skipped[MIN_AMOUNT] += len(items)
            continue
        result.letters.append(PlannedLetter(currency_id, level, tuple(items)))
    return result


def _delay(level):
    return level.delay_days
