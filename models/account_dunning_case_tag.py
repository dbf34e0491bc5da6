from random import randint

from odoo import fields, models


class AccountDunningCaseTag(models.Model):
    """A free label collectors put on cases (key account, litigation risk, seasonal...)."""

    _name = "account.dunning.case.tag"
    _description = "Collection Case Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: randint(1, 11))
    active = fields.Boolean(default=True)

    _name_uniq = models.UniqueIndex("(name)", "A tag with this name already exists.")
