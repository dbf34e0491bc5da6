"""Penalty regimes: one function per law behind one entry point, compute_line_penalties.

- ``fr_b2b``: Code de commerce L441-10 II (interest from the day after the due date,
  without reminder, at ECB reference + 10 points or the agreed rate) and D441-5 (EUR 40
  fixed recovery indemnity per late invoice).
- ``fr_b2c``: Code civil 1231-6 and 1344 (legal interest rate, from the formal notice only);
  Code des procédures civiles d'exécution L111-8 (no recovery fee, no indemnity).
- ``be_b2b``: law of 2 August 2002, art. 5 and 6 (published rate per half-year, EUR 40).
- ``be_b2c``: Code of Economic Law, Book XIX (see :mod:`.be_consumer`).
- ``fr_public``: Code de la commande publique, French public buyers (State, local
  authorities, public hospitals): interest from the day after the payment deadline at the ECB
  rate in force on the first day of the half-year in which interest started + 8 points, for
  the whole delay with no split at half-years (R2192-31), plus EUR 40 (R2192-32 to 35). Both
  are owed by law and cannot be waived (L2192-14): no contractual rate, no waiver in a plan.
- ``eu_b2b``: Directive 2011/7/EU, art. 3 and 6 (ECB reference + 8 points, EUR 40).
- ``none``: no statutory penalty.

A formal notice or a free reminder dated on or before the due date has no effect: nothing
is owed yet on that day, so it cannot put the debtor in default.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from . import be_consumer
from .interest import interest_segments, total_interest
from .rates import as_decimal

FIXED_INDEMNITY = Decimal(40)  # D441-5, law of 2 August 2002 art. 6, 2011/7/EU art. 6


@dataclass(frozen=True)
class Regime:
    """What a regime allows. ``consumer``: the consumer protections apply (no fee, no fixed
    indemnity). ``interest_start``: ``'due_date'``, ``'formal_notice'``,
    ``'after_free_reminder'`` or None when no interest runs."""

    code: str
    consumer: bool
    has_fixed_indemnity: bool
    allows_fees: bool
    interest_start: str | None
    accepts_contractual_rate: bool


REGIMES = {
    "fr_b2b": Regime("fr_b2b", False, True, True, "due_date", True),
    # L441-10 II does not apply to consumers: the legal rate is the only one (1231-6).
    "fr_b2c": Regime("fr_b2c", True, False, False, "formal_notice", False),
    "be_b2b": Regime("be_b2b", False, True, True, "due_date", True),
    # Book XIX lets the contract set the rate, capped at the B2B rate.
    "be_b2c": Regime("be_b2c", True, False, False, "after_free_reminder", True),
    "eu_b2b": Regime("eu_b2b", False, True, True, "due_date", True),
    # R2192-31 sets the rate; L2192-14 voids any clause or waiver that lowers it.
    "fr_public": Regime("fr_public", False, True, True, "due_date", False),
    # Claims nothing, hence usable for consumers of any country.
    "none": Regime("none", True, False, False, None, False),
}


@dataclass(frozen=True)
class PenaltyResult:
    """Interest one receivable line owes. ``claimable_from``: first day interest may run,
    None while nothing can be claimed (no formal notice, no free reminder, no regime)."""

    segments: tuple
    interest: Decimal
    claimable_from: date | None
    late: bool


@dataclass(frozen=True)
class _Claim:
    table: object
    due_date: date
    contractual_rate: Decimal | None
    formal_notice_date: date | None
    free_reminder_date: date | None
    free_reminder_channel: str | None
    creditor_individual: bool
    consumer_clause: str


def _agreed_or(claim, default_rate_of_day):
    if claim.contractual_rate is None:
        return default_rate_of_day
    return lambda _day: claim.contractual_rate


def _fr_b2b(claim):
    if claim.contractual_rate is None:
        return claim.due_date, claim.table.fr_b2b_default_rate
    # L441-10 II: a clause under three times the legal rate cannot stand for the days of that
    # half-year; the floor applies to them (the policy refuses such a rate for the current one).
    return claim.due_date, lambda day: max(claim.contractual_rate, claim.table.fr_contractual_floor(day))


def _fr_b2c(claim):
    notice = claim.formal_notice_date
    if not notice or notice <= claim.due_date:
        return None
    return notice, lambda day: claim.table.fr_legal_rate(day, claim.creditor_individual)


def _be_b2b(claim):
    return claim.due_date, _agreed_or(claim, claim.table.be_late_payment_rate)


def _be_b2c(claim):
    reminder = claim.free_reminder_date
    if not reminder or reminder <= claim.due_date:
        return None

    def rate_of_day(day):
        return be_consumer.consumer_rate(
            lambda: claim.table.be_late_payment_rate(day),
            lambda: claim.table.be_legal_rate(day),
            claim.consumer_clause,
            claim.contractual_rate,
        )

    first_day = be_consumer.claimable_from(reminder, claim.free_reminder_channel)
    return first_day - timedelta(days=1), rate_of_day


def _eu_b2b(claim):
    return claim.due_date, _agreed_or(claim, claim.table.eu_b2b_default_rate)


def _fr_public(claim):
    # One rate for the whole delay: the half-year of the first day of interest decides it.
    first_day = claim.due_date + timedelta(days=1)
    return claim.due_date, lambda _day: claim.table.fr_public_rate(first_day)


def _none(_claim):
    return None


ACCRUALS = {
    "fr_b2b": _fr_b2b,
    "fr_b2c": _fr_b2c,
    "be_b2b": _be_b2b,
    "be_b2c": _be_b2c,
    "eu_b2b": _eu_b2b,
    "fr_public": _fr_public,
    "none": _none,
}


def fixed_indemnity(regime):
    """The fixed recovery indemnity, owed once per late invoice (not per installment) in
    full: a partial payment does not reduce it."""
    return FIXED_INDEMNITY if REGIMES[regime].has_fixed_indemnity else Decimal(0)


def be_consumer_damages(balance, clause=be_consumer.CLAUSE_LEGAL_MAXIMUM, fixed=0, percent=0):
    """Flat damages a Belgian consumer owes on ``balance`` under the policy's clause (Book
    XIX); by default the maximum the scale allows."""
    return be_consumer.clause_damages(balance, clause, fixed, percent)


def _paid_by(principal, reductions, day):
    return sum((amount for paid_on, amount in reductions if paid_on <= day), Decimal(0)) >= principal


def compute_line_penalties(
    regime,
    *,
    principal,
    reductions,
    due_date,
    on_date,
    table,
    contractual_rate=None,
    formal_notice_date=None,
    free_reminder_date=None,
    free_reminder_channel=None,
    creditor_individual=False,
    consumer_clause=be_consumer.CLAUSE_NONE,
):
    """Interest one receivable line owes on ``on_date`` under ``regime``.

    ``principal`` is the amount due VAT included, ``reductions`` the dated payments and
    credit notes. A contractual rate is ignored by a regime that accepts none.
    ``consumer_clause`` says what a Belgian consumer's terms stipulate (:mod:`.be_consumer`):
    nothing by default. Raises
    :class:`~.rates.MissingRateError` when a rate the delay needs is not in ``table``.
    """
    principal = as_decimal(principal)
    reductions = [(paid_on, as_decimal(amount)) for paid_on, amount in reductions if paid_on <= on_date]
    if contractual_rate is not None and REGIMES[regime].accepts_contractual_rate:
        contractual_rate = as_decimal(contractual_rate)
    else:
        contractual_rate = None
    claim = _Claim(
        table=table,
        due_date=due_date,
        contractual_rate=contractual_rate,
        formal_notice_date=formal_notice_date,
        free_reminder_date=free_reminder_date,
        free_reminder_channel=free_reminder_channel,
        creditor_individual=creditor_individual,
        consumer_clause=consumer_clause or be_consumer.CLAUSE_NONE,
    )
    late = on_date > due_date and not _paid_by(principal, reductions, due_date)
    accrual = ACCRUALS[regime](claim)
    if accrual is None:
        return PenaltyResult((), Decimal(0), None, late)
    start, rate_of_day = accrual
    segments = tuple(interest_segments(principal, reductions, start, on_date, rate_of_day)) if late else ()
    return PenaltyResult(segments, total_interest(segments), start + timedelta(days=1), late)
