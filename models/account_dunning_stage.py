from odoo import fields, models

STAGE_CODES = [
    ("to_remind", "To remind"),
    ("reminded", "Reminded"),
    ("formal_notice", "Formal notice"),
    ("promise", "Promise to pay"),
    ("plan", "Payment plan"),
    ("agency", "Collection agency"),
    ("insolvency", "Insolvency proceedings"),
    ("resolved", "Resolved"),
]


class AccountDunningStage(models.Model):
    _name = "account.dunning.stage"
    _description = "Collection Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in the board")
    code = fields.Selection(
        STAGE_CODES,
        help="The event that moves cases here by themselves (a letter, a promise, a plan, a hand-off...). "
        "Stages without a code are only reached by hand.",
    )
    is_resolved = fields.Boolean(string="Resolved stage", help="Cases here have nothing overdue any more.")

    _code_uniq = models.UniqueIndex("(code) WHERE code IS NOT NULL", "Each event leads to one stage only.")
