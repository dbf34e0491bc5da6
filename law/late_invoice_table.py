"""The table of late customer invoices French companies publish in their management report
(Code de commerce L441-14 and D441-6 I, 1°, model of the arrêté of 20 March 2017).

At the closing date of the financial year: the invoices issued and not paid whose term has
passed, by band of days late (1-30, 31-60, 61-90, 91 and more; the invoices not yet due are
given as the indicative "0 day" column), with their number, their amount including VAT still
unpaid, and that amount as a share of the year's turnover excluding VAT; then the invoices left
out because they are disputed (litigious claims), with their number and amount.

An invoice whose installments fall in several bands counts once in each band it has an unpaid
installment in; its amounts are split accordingly. Amounts are Decimal; the share is rounded to
two decimals, the amounts to the cent, once per band.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

BANDS = (
    ("0", "0 day (indicative)", None, 0),
    ("1_30", "1 to 30 days", 1, 30),
    ("31_60", "31 to 60 days", 31, 60),
    ("61_90", "61 to 90 days", 61, 90),
    ("91", "91 days and more", 91, None),
)
LATE_BANDS = ("1_30", "31_60", "61_90", "91")
CENT = Decimal("0.01")


def band_of(days_late):
    """The band of an installment ``days_late`` days past its term on the closing date."""
    if days_late <= 0:
        return "0"
    for code, _label, low, high in BANDS[1:]:
        if days_late >= low and (high is None or days_late <= high):
            return code
    raise AssertionError(days_late)


@dataclass
class BandFigures:
    invoices: set = field(default_factory=set)
    amount: Decimal = Decimal(0)

    @property
    def count(self):
        return len(self.invoices)


def summarize(installments, turnover):
    """``installments``: ``(invoice id, days late, unpaid amount incl. VAT, disputed)``;
    ``turnover``: the year's turnover excluding VAT. Returns ``{band: (count, amount, share)}``
    for every band, ``"late"`` for the four late bands together, and ``"excluded"`` for the
    disputed invoices (their share is None)."""
    bands = {code: BandFigures() for code, *_rest in BANDS}
    late, excluded = BandFigures(), BandFigures()
    for invoice, days_late, unpaid, disputed in installments:
        amount = Decimal(str(unpaid))
        if amount <= 0:
            continue
        if disputed:
            if days_late > 0:
                excluded.invoices.add(invoice)
                excluded.amount += amount
            continue
        code = band_of(days_late)
        bands[code].invoices.add(invoice)
        bands[code].amount += amount
        if code in LATE_BANDS:
            late.invoices.add(invoice)
            late.amount += amount
    turnover = Decimal(str(turnover))

    def share(amount):
        if turnover <= 0:
            return None
        return (amount * 100 / turnover).quantize(CENT, rounding=ROUND_HALF_UP)

    result = {
        code: (figures.count, figures.amount.quantize(CENT, rounding=ROUND_HALF_UP), share(figures.amount))
        for code, figures in bands.items()
    }
    result["late"] = (late.count, late.amount.quantize(CENT, rounding=ROUND_HALF_UP), share(late.amount))
    result["excluded"] = (excluded.count, excluded.amount.quantize(CENT, rounding=ROUND_HALF_UP), None)
    return result
