from odoo import api, fields, models

AGING_BUCKETS = (
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)


def aging_bucket(days_late):
    """The aging bucket of an item ``days_late`` days past its due date (<= 0: not due)."""
    for key, low, high in AGING_BUCKETS:
        if (low is None or days_late >= low) and (high is None or days_late <= high):
            return key
    raise ValueError(days_late)


class ReportDunningStatement(models.AbstractModel):
    _name = "report.account_dunning.report_dunning_statement"
    _description = "Customer statement of account"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        today = fields.Date.context_today(self)
        statements = {partner.id: partner._dunning_statement(self.env.company, today) for partner in partners}
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": statements,
            "today": today,
            "company": self.env.company,
        }
