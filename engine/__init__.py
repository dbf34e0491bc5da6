"""The dunning decisions as plain Python: which level a receivable line calls for today, and
which letters a customer gets. Standard library only, no Odoo import: the run reads the
database and calls these functions with plain values."""

from . import decision
