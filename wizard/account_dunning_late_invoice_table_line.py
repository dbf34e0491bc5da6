from odoo import fields, models

from ..law.late_invoice_table import BANDS


class AccountDunningLateInvoiceTableLine(models.TransientModel):
    """One unpaid receivable installment at the closing date of a D441-6 table."""

    _name = "account.dunning.late.invoice.table.line"
    _description = "Late invoices table line (D441-6)"
    _order = "days_late desc, id"

    table_id = fields.Many2one("account.dunning.late.invoice.table", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="table_id.company_id")
    currency_id = fields.Many2one(related="table_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_maturity = fields.Date(string="Term", readonly=True)
    days_late = fields.Integer(string="Days late", readonly=True, aggregator="max")
    band = fields.Selection([(code, label) for code, label, _low, _high in BANDS], readonly=True)
    amount = fields.Monetary(string="Unpaid incl. VAT", readonly=True)
    disputed = fields.Boolean(readonly=True, help="Disputed invoices are left out of the bands (part B).")
