from odoo import api, fields, models


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

    def _dunning_default_policy(self, kind):
        self.ensure_one()
        return self.dunning_policy_consumer_id if kind == "consumer" else self.dunning_policy_professional_id
