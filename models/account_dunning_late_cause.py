from odoo import fields, models


class AccountDunningLateCause(models.Model):
    _name = "account.dunning.late.cause"
    _description = "Cause of Late Payment"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
