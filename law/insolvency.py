"""Insolvency proceedings of a customer (Code de commerce, Book VI: sauvegarde, redressement
and liquidation judiciaire).

- The opening judgment stops the accrual of legal and contractual interest (L622-28, made
  applicable to redressement by L631-14 and to liquidation by L641-3). The module counts the
  interest of a debt born before the judgment up to and including the judgment day, the last
  day the claim is a plain debt, and nothing after.
- It forbids any payment or collection action for debts born before it (L622-7, L622-21):
  no reminder, plan or hand-off for them. A debt is born on its invoice date (the delivery
  or service it bills is done by then), or on its accounting date without one. Debts born on
  or after the judgment day are dunned as usual.
- Creditors declare their claims to the court-appointed representative (mandataire
  judiciaire) within two months of the publication of the judgment in the BODACC (R622-24),
  four months for creditors outside metropolitan France. The creditor is the company: it is
  in metropolitan France when its country is France (``FR``; the overseas departments and
  Monaco have country codes of their own in Odoo, and get the four months), and a company
  whose country is not set counts as in France, so that the module never warns after the
  law's date when it cannot tell. A deadline in months ends on the
  same day of the last month, or on its last day when it has no such day (Code de procédure
  civile 641). The extension of a deadline ending on a Saturday, Sunday or public holiday
  (CPC 642) is not applied: the module warns on the earlier date, never on a later one.
"""

import calendar
from datetime import date

DECLARATION_MONTHS = 2
DECLARATION_MONTHS_ABROAD = 4

KINDS = ("safeguard", "receivership", "liquidation")


def add_months(day, months):
    """``day`` plus ``months`` calendar months, on the last day of the month when it has no
    such day (CPC 641: 31 December + 2 months = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def outside_metropolitan_france(country_code):
    """Whether a creditor company of country ``country_code`` is outside metropolitan France
    (R622-24: two more months to declare). Unknown country: in France, the shorter deadline."""
    return bool(country_code) and country_code != "FR"


def declaration_deadline(publication_date, creditor_abroad=False):
    """Last day to declare a claim, from the BODACC publication date (R622-24)."""
    if not publication_date:
        return None
    return add_months(publication_date, DECLARATION_MONTHS_ABROAD if creditor_abroad else DECLARATION_MONTHS)


def born_before(debt_date, judgment_date):
    """Whether a debt born on ``debt_date`` is caught by proceedings opened on ``judgment_date``."""
    return bool(judgment_date) and debt_date < judgment_date


def interest_end(on_date, debt_date, judgment_date):
    """The last day of interest of a debt computed on ``on_date``: the judgment day for a
    debt born before it (L622-28), ``on_date`` otherwise."""
    if born_before(debt_date, judgment_date):
        return min(on_date, judgment_date)
    return on_date
