from odoo import api, fields, models
from odoo.exceptions import UserError


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

    _dunning_min_gap_positive = models.Constraint(
        "CHECK (dunning_min_gap_days >= 0)", "The minimum gap between letters cannot be negative."
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policies()
        return companies

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
