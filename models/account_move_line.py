from odoo import fields, models
from odoo.tools import SQL


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The unit of dunning is the receivable line: each installment is reminded on its own.
    dunning_level_id = fields.Many2one(
        "account.dunning.level", string="Last dunning level", readonly=True, copy=False, index="btree_not_null"
    )
    dunning_last_date = fields.Date(string="Last reminded on", readonly=True, copy=False)
    dunning_formal_notice_date = fields.Date(string="Formal notice on", readonly=True, copy=False)
    dunning_letter_line_ids = fields.One2many("account.dunning.letter.line", "move_line_id", readonly=True)

    def _dunning_open_sql_conditions(self):
        """An open customer receivable installment (aliases aml, move, account)."""
        return [
            SQL("aml.parent_state = 'posted'"),
            SQL("account.account_type = 'asset_receivable'"),
            SQL("NOT aml.reconciled"),
            SQL("aml.amount_residual_currency > 0"),
            SQL("aml.date_maturity IS NOT NULL"),
            SQL("move.move_type IN ('out_invoice', 'out_receipt')"),
            # Community marks an invoice paid by a payment without entry while its lines stay open.
            SQL("move.payment_state NOT IN ('paid', 'in_payment', 'reversed', 'blocked')"),
        ]

    def _dunning_sql_exclusions(self):
        """Why an open receivable line must not be reminded: ``[(reason, condition)]`` where the
        SQL condition (on aliases aml, move, partner) is true when the line is excluded.

        Hook for the features that freeze dunning on a line (installment plans, agency
        hand-offs, promises to pay): each adds its own reason here.
        """
        return [
            ("disputed", SQL("COALESCE(move.dunning_excluded, FALSE)")),
            ("blocked", SQL("COALESCE(partner.dunning_blocked, FALSE)")),
        ]

    def _dunning_flush(self):
        """Raw SQL reads what is in the database: write pending ORM changes first."""
        for model in (
            "account.move.line",
            "account.move",
            "res.partner",
            "account.dunning.letter",
            "account.dunning.letter.line",
            "account.dunning.level",
        ):
            self.env[model].flush_model()

    def _dunning_still_due(self):
        """The lines of ``self`` that can still be reminded right now (re-checked just before a
        letter is sent: a payment registered in between removes the line)."""
        if not self:
            return self
        self._dunning_flush()
        conditions = [
            SQL("aml.id IN %s", tuple(self.ids)),
            *self._dunning_open_sql_conditions(),
            *(SQL("NOT (%s)", condition) for _reason, condition in self._dunning_sql_exclusions()),
        ]
        rows = self.env.execute_query(
            SQL(
                """SELECT aml.id
                     FROM account_move_line aml
                     JOIN account_move move ON move.id = aml.move_id
                     JOIN account_account account ON account.id = aml.account_id
                     JOIN res_partner partner ON partner.id = aml.partner_id
                    WHERE %s""",
                SQL(" AND ").join(conditions),
            )
        )
        return self.browse([row[0] for row in rows])
