from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr

from ..analytics import behaviour as behaviour_lib


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_professional_id = fields.Many2one(
        "account.dunning.policy",
        string="Default policy for professionals",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'professional')]",
    )
    dunning_policy_consumer_id = fields.Many2one(
        "account.dunning.policy",
        string="Default policy for consumers",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'consumer')]",
    )
    dunning_min_gap_days = fields.Integer(
        string="Minimum days between two letters",
        default=7,
        help="A customer is not sent a new letter if they received one in the last N days.",
    )
    dunning_auto_send = fields.Boolean(
        string="Daily run sends letters",
        default=True,
        help="The daily run sends the letters of levels marked 'Send automatically'. "
        "Otherwise every letter waits for a collector to review it.",
    )

    dunning_interest_account_id = fields.Many2one(
        "account.account",
        string="Late-payment interest account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of invoiced late-payment interest (French chart: 763100).",
    )
    dunning_indemnity_account_id = fields.Many2one(
        "account.account",
        string="Recovery indemnity account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of invoiced recovery indemnities (French chart: 758000).",
    )
    dunning_penalty_journal_id = fields.Many2one(
        "account.journal",
        string="Penalty journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of penalty invoices (default: the first sales journal).",
    )
    dunning_commission_account_id = fields.Many2one(
        "account.account",
        string="Collection commission account",
        check_company=True,
        help="Expense account of collection agencies' fees (French chart: 622600).",
    )
    dunning_write_off_account_id = fields.Many2one(
        "account.account",
        string="Irrecoverable receivables account",
        check_company=True,
        help="Expense account of receivables written off (French chart: 654100).",
    )
    dunning_clause_professional = fields.Text(
        string="Late-payment clause (professionals)",
        translate=True,
        help="Printed on invoices to professional customers. {rate} is replaced by the "
        "penalty rate in force, {indemnity} by the fixed recovery indemnity.",
    )
    dunning_clause_consumer = fields.Text(
        string="Late-payment clause (consumers)",
        translate=True,
        help="Printed on invoices to consumers: no indemnity and no professional rate.",
    )
    dunning_risk_avg_days_late = fields.Integer(
        string="Risk: average days late above",
        default=15,
        help="A customer whose payments of the last twelve months were more than this many days late on "
        "average (weighted by amount) is at risk. 0: not used.",
    )
    dunning_risk_late_share = fields.Float(
        string="Risk: share paid late above (%)",
        digits=(5, 1),
        default=50.0,
        help="A customer who paid more than this percentage of their installments late in the last twelve "
        "months is at risk. 0: not used.",
    )
    dunning_risk_overdue_days = fields.Integer(
        string="Risk: overdue for more than",
        default=60,
        help="A customer with a receivable overdue for more than this many days is at risk. 0: not used.",
    )

    _dunning_min_gap_positive = models.Constraint(
        "CHECK (dunning_min_gap_days >= 0)", "The minimum gap between letters cannot be negative."
    )

    _dunning_risk_thresholds_valid = models.Constraint(
        "CHECK (dunning_risk_avg_days_late >= 0 AND dunning_risk_overdue_days >= 0 "
        "AND dunning_risk_late_share >= 0 AND dunning_risk_late_share <= 100)",
        "Risk thresholds are positive days, and a share between 0 and 100%.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policies()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if {"dunning_risk_avg_days_late", "dunning_risk_late_share", "dunning_risk_overdue_days"} & set(vals):
            # The board's risk flags follow new thresholds at once, not at the next daily run.
            Case = self.env["account.dunning.case"].sudo()
            today = fields.Date.context_today(self)
            for company in self:
                Case.search([("company_id", "=", company.id)])._refresh_payment_behaviour(company, today)
        return res

    def _dunning_thresholds(self):
        self.ensure_one()
        return behaviour_lib.Thresholds(
            avg_days_late=self.dunning_risk_avg_days_late,
            late_share=self.dunning_risk_late_share,
            overdue_days=self.dunning_risk_overdue_days,
        )

    def _dunning_assess_risk(self, behaviour, overdue_days):
        """The risk of a customer with this payment behaviour and oldest overdue days."""
        return behaviour_lib.assess_risk(
            behaviour.avg_days_late, behaviour.late_share, overdue_days, self._dunning_thresholds()
        )

    def _dunning_risk_text(self, risk):
        """Why a customer is at risk, in the user's language; empty when they are not."""
        texts = {
            "avg_days_late": lambda value, limit: self.env._(
                "pays %(days)s days late on average (threshold %(limit)s)", days=float_repr(value, 1), limit=limit
            ),
            "late_share": lambda value, limit: self.env._(
                "%(share)s%% of installments paid late (threshold %(limit)s%%)",
                share=float_repr(value, 0),
                limit=float_repr(limit, 0),
            ),
            "overdue_days": lambda value, limit: self.env._(
                "overdue for %(days)s days (threshold %(limit)s)", days=value, limit=limit
            ),
        }
        return "; ".join(texts[name](value, limit) for name, value, limit in risk.reasons)

    @api.constrains("dunning_policy_professional_id", "dunning_policy_consumer_id")
    def _check_dunning_policies(self):
        for company in self:
            (company.dunning_policy_professional_id | company.dunning_policy_consumer_id)._check_usable()

    def _dunning_ensure_default_policies(self):
        Policy = self.env["account.dunning.policy"].sudo()
        for company in self.sudo():
            vals = {}
            if not company.dunning_policy_professional_id:
                vals["dunning_policy_professional_id"] = Policy._create_default_policy(company, "professional").id
            if not company.dunning_policy_consumer_id:
                vals["dunning_policy_consumer_id"] = Policy._create_default_policy(company, "consumer").id
            if vals:
                company.write(vals)

    def _dunning_penalty_accounts(self):
        """Interest account, indemnity account and journal of penalty invoices: the settings,
        else the French chart's 763100 / 758000 and the first sales journal."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        domain = Account._check_company_domain(self)

        def by_code(code):
            return Account.search([*domain, ("code", "=", code)], limit=1)

        interest = self.dunning_interest_account_id or by_code("763100")
        indemnity = self.dunning_indemnity_account_id or by_code("758000")
        journal = self.dunning_penalty_journal_id or self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "sale")], limit=1
        )
        return interest, indemnity, journal

    def _dunning_handoff_accounts(self):
        """Commission expense, loss account and miscellaneous journal of hand-offs."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        domain = Account._check_company_domain(self)
        expense = self.dunning_commission_account_id or Account.search([*domain, ("code", "=", "622600")], limit=1)
        loss = self.dunning_write_off_account_id or Account.search([*domain, ("code", "=", "654100")], limit=1)
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "general")], limit=1
        )
        if not (expense and loss and journal):
            raise UserError(
                self.env._(
                    "Set the collection commission and irrecoverable receivables accounts in Invoicing > "
                    "Configuration > Settings > Dunning."
                )
            )
        return expense, loss, journal

    def _dunning_default_policy(self, kind):
        self.ensure_one()
        return self.dunning_policy_consumer_id if kind == "consumer" else self.dunning_policy_professional_id
