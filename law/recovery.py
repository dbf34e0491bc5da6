"""How a sum a collection agency recovered is split between the parts of the claim.

The order is **principal first, then the late-payment interest, then the fixed recovery
indemnity** (or the Belgian consumer damages), each up to what is still claimed on it.

Code civil 1343-1 imputes a partial payment first to the interest when the debtor does not
say otherwise. That rule protects the creditor (the principal keeps bearing interest); the
creditor may waive it, and imputing to the principal first only ever favours the debtor, so
no debtor can contest it. The module takes the principal-first order for a hand-off because:

- the interest a hand-off claims is frozen on the hand-off date (the mandate states it), so
  paying the principal first costs the company no interest within the mandate;
- the principal is already in the books (a receivable, its VAT already declared) while the
  penalties are not: what the agency recovers first settles the receivable, and penalty
  income is only booked for money actually received beyond it (prudence: no income is
  recognised on a claim handed over because it is doubtful);
- a partial recovery then reduces the loss that is written off, instead of showing penalty
  income next to a larger loss.

Interest comes before the indemnity, the order in which the mandate states the claim.
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


class ExcessRecovery(ValueError):
    """The agency reports more than is still claimed (``claimed`` says how much is)."""

    def __init__(self, amount, claimed):
        super().__init__(f"{amount} recovered, {claimed} still claimed")
        self.amount = amount
        self.claimed = claimed


@dataclass(frozen=True)
class Allocation:
    """The parts of a recovered sum: what pays the principal, the interest, the indemnity."""

    principal: Decimal
    interest: Decimal
    indemnity: Decimal

    @property
    def penalties(self):
        return self.interest + self.indemnity


def allocate_recovery(amount, principal, interest, indemnity):
    """Split ``amount`` over what is still claimed of the ``principal``, ``interest`` and
    ``indemnity`` (all ``Decimal`` in the same currency), principal first.

    Raises :class:`ValueError` for a negative amount or claim, and :class:`ExcessRecovery`
    when ``amount`` is more than the three together: money the claim does not explain is
    never booked as if it did.
    """
    if min(amount, principal, interest, indemnity) < ZERO:
        raise ValueError("amounts cannot be negative")
    claimed = principal + interest + indemnity
    if amount > claimed:
        raise ExcessRecovery(amount, claimed)
    to_principal = min(amount, principal)
    to_interest = min(amount - to_principal, interest)
    return Allocation(to_principal, to_interest, amount - to_principal - to_interest)
