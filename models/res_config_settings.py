from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_policy_professional_id = fields.Many2one(
        related="company_id.dunning_policy_professional_id", readonly=False
    )
    dunning_policy_consumer_id = fields.Many2one(related="company_id.dunning_policy_consumer_id", readonly=False)
    dunning_policy_public_id = fields.Many2one(related="company_id.dunning_policy_public_id", readonly=False)
    dunning_min_gap_days = fields.Integer(related="company_id.dunning_min_gap_days", readonly=False)
    dunning_auto_send = fields.Boolean(related="company_id.dunning_auto_send", readonly=False)
    dunning_interest_account_id = fields.Many2one(related="company_id.dunning_interest_account_id", readonly=False)
    dunning_indemnity_account_id = fields.Many2one(related="company_id.dunning_indemnity_account_id", readonly=False)
    dunning_penalty_journal_id = fields.Many2one(related="company_id.dunning_penalty_journal_id", readonly=False)
    dunning_clause_professional = fields.Text(related="company_id.dunning_clause_professional", readonly=False)
    dunning_clause_consumer = fields.Text(related="company_id.dunning_clause_consumer", readonly=False)
    dunning_clause_higher_costs = fields.Boolean(related="company_id.dunning_clause_higher_costs", readonly=False)
    dunning_commission_account_id = fields.Many2one(related="company_id.dunning_commission_account_id", readonly=False)
    dunning_write_off_account_id = fields.Many2one(related="company_id.dunning_write_off_account_id", readonly=False)
    dunning_risk_avg_days_late = fields.Integer(related="company_id.dunning_risk_avg_days_late", readonly=False)
    dunning_risk_late_share = fields.Float(related="company_id.dunning_risk_late_share", readonly=False)
    dunning_risk_overdue_days = fields.Integer(related="company_id.dunning_risk_overdue_days", readonly=False)
