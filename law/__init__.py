"""The late-payment law as plain Python: rates by half-year, simple interest over an amount
timeline, one function per penalty regime. Standard library only, no Odoo import: the
models read the database and call these functions."""

from . import be_consumer, clause, ecb, insolvency, interest, late_invoice_table, rates, recovery, regimes
