from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command

from ..report.account_dunning_statement import AGING_BUCKETS, aging_bucket

# The dunning settings of a customer (whether and how it is reminded, by whom) are for the
# accounting side: other internal users (sales, contacts) neither see nor change them.
GROUP_INVOICE = "account.group_account_invoice"
# Collectors work customers without the right to edit contacts: they may block reminders
# and say who chases a customer; dunning managers may also choose its policy and set up
# collection agencies. Nothing else of the contact.
COLLECTOR_PARTNER_FIELDS = frozenset({"dunning_blocked", "dunning_block_reason", "dunning_responsible_id"})
MANAGER_PARTNER_FIELDS = COLLECTOR_PARTNER_FIELDS | {
    "dunning_policy_id",
    "dunning_customer_kind",
    "is_collection_agency",
    "collection_commission_rate",
    "collection_export_format",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_customer_kind = fields.Selection(
        [("professional", "Professional"), ("consumer", "Consumer")],
        string="Customer kind",
        compute="_compute_dunning_customer_kind",
        store=True,
        readonly=False,
        recursive=True,
        help="Decides the default dunning policy and the late-payment law that applies. "
        "Follows whether the customer is a company; can be changed.",
        groups=GROUP_INVOICE,
    )
    dunning_policy_id = fields.Many2one(
        "account.dunning.policy",
        string="Dunning policy",
        company_dependent=True,
        help="Leave empty to use the company's default policy for this kind of customer.",
        groups=GROUP_INVOICE,
    )
    dunning_blocked = fields.Boolean(
        string="Reminders blocked",
        tracking=True,
        help="No reminder at all is sent to this customer (for example during a dispute).",
        groups=GROUP_INVOICE,
    )
    dunning_block_reason = fields.Char(string="Block reason", tracking=True, groups=GROUP_INVOICE)
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        help="Who chases this customer: receives the call activities and owns the collection case.",
        groups=GROUP_INVOICE,
    )
    is_collection_agency = fields.Boolean(
        string="Collection agency",
        help="Receivables can be handed to this partner for collection.",
        groups=GROUP_INVOICE,
    )
    collection_commission_rate = fields.Float(
        string="Default commission (%)",
        digits=(16, 2),
        help="The agency's fee on what it recovers.",
        groups=GROUP_INVOICE,
    )
    collection_export_format = fields.Selection(
        [("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
        string="Export format",
        default="xlsx",
        groups=GROUP_INVOICE,
    )
    dunning_letter_ids = fields.One2many(
        "account.dunning.letter", "partner_id", string="Dunning letters", groups=GROUP_INVOICE
    )
    dunning_letter_count = fields.Integer(
        compute="_compute_dunning_letter_count", string="Letters", groups=GROUP_INVOICE
    )

    def write(self, vals):
        if vals and not self.env.su and not self.has_access("write") and set(vals) <= self._dunning_writable_fields():
            # The record must still be one the user may see (companies, record rules).
            self.check_access("read")
            return super(ResPartner, self.sudo()).write(vals)
        return super().write(vals)

    def _dunning_writable_fields(self):
        user = self.env.user
        if user.has_group("account_dunning.group_dunning_manager"):
            return MANAGER_PARTNER_FIELDS
        if user.has_group("account_dunning.group_dunning_collector"):
            return COLLECTOR_PARTNER_FIELDS
        return frozenset()

    @api.depends("is_company", "parent_id.is_company", "commercial_partner_id.dunning_customer_kind")
    def _compute_dunning_customer_kind(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            if commercial and commercial != partner and commercial.dunning_customer_kind:
                partner.dunning_customer_kind = commercial.dunning_customer_kind
            else:
                partner.dunning_customer_kind = "professional" if partner.is_company else "consumer"

    def _compute_dunning_letter_count(self):
        counts = dict(
            self.env["account.dunning.letter"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.dunning_letter_count = counts.get(partner.commercial_partner_id, 0)

    @api.constrains("dunning_blocked", "dunning_block_reason")
    def _check_dunning_block_reason(self):
        for partner in self:
            if partner.dunning_blocked and not (partner.dunning_block_reason or "").strip():
                raise ValidationError(
                    self.env._("Say why reminders to %(partner)s are blocked.", partner=partner.display_name)
                )

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy(self):
        self.dunning_policy_id._check_usable()

    def _dunning_policy(self, company):
        """The policy that applies to this commercial partner in a company."""
        self.ensure_one()
        partner = self.with_company(company)
        return partner.dunning_policy_id or company._dunning_default_policy(partner.dunning_customer_kind)

    def action_open_dunning_letters(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_dunning.action_account_dunning_letter")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_propose_installment_plan(self):
        """A plan for all this customer's overdue receivables in the current company."""
        self.ensure_one()
        company = self.env.company
        lines = self.env["account.dunning.installment.plan"]._overdue_lines(self, company)
        currency = lines.currency_id[:1] or company.currency_id
        return self.commercial_partner_id._dunning_plan_action(
            company, currency, lines.filtered(lambda line: line.currency_id == currency)
        )

    def _dunning_plan_action(self, company, currency, lines):
        self.ensure_one()
        plan = self.env["account.dunning.installment.plan"].create(
            {
                "partner_id": self.id,
                "company_id": company.id,
                "currency_id": currency.id,
                "move_line_ids": [Command.set(lines.ids)],
            }
        )
        if lines:
            plan.action_compute_schedule()
        return {
            "type": "ir.actions.act_window",
            "res_model": plan._name,
            "res_id": plan.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_print_dunning_statement(self):
        return self.env.ref("account_dunning.action_report_dunning_statement").report_action(self.commercial_partner_id)

    def _dunning_statement(self, company, on_date):
        """All open receivable items of this customer in a company, by currency, with aging."""
        self.ensure_one()
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual_currency", "!=", 0),
            ],
            order="date_maturity, id",
        )
        bucket_keys = [key for key, _low, _high in AGING_BUCKETS]
        by_currency = defaultdict(lambda: {"lines": [], "buckets": dict.fromkeys(bucket_keys, 0.0), "total": 0.0})
        for line in lines:
            days_late = (on_date - (line.date_maturity or line.date)).days
            entry = by_currency[line.currency_id]
            entry["lines"].append(
                {"line": line, "days_late": max(days_late, 0), "amount": line.amount_residual_currency}
            )
            entry["buckets"][aging_bucket(days_late)] += line.amount_residual_currency
            entry["total"] += line.amount_residual_currency
        return [
            {"currency": currency, **values}
            for currency, values in sorted(by_currency.items(), key=lambda item: item[0].name)
        ]
