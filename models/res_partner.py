from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tools import SQL

from ..analytics import behaviour as behaviour_lib
from ..report.account_dunning_statement import AGING_BUCKETS, aging_bucket
from .account_dunning_policy import UNWAIVABLE_REGIMES

PAYMENT_TRENDS = [("improving", "Improving"), ("stable", "Stable"), ("worsening", "Worsening")]
DUNNING_RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
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
    "dunning_insolvency_date",
    "dunning_insolvency_kind",
    "dunning_insolvency_court",
    "dunning_insolvency_representative_id",
    "dunning_insolvency_publication_date",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_customer_kind = fields.Selection(
        [("professional", "Professional"), ("consumer", "Consumer"), ("public", "Public buyer")],
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

    # Payment behaviour in the current company, today (see analytics/behaviour.py).
    dunning_paid_count = fields.Integer(
        string="Installments paid (12 months)",
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
        help="Receivable lines of invoices fully paid in the last twelve months: what the figures below are based on.",
    )
    dunning_avg_days_late = fields.Float(
        string="Average days late",
        digits=(16, 1),
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
        help="Days between due date and payment of what was paid in the last twelve months, weighted by "
        "amount; early payments count as 0.",
    )
    dunning_late_share = fields.Float(
        string="Paid late (%)",
        digits=(16, 1),
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
        help="Share of the installments paid in the last twelve months that were paid after their due date.",
    )
    dunning_payment_trend = fields.Selection(
        PAYMENT_TRENDS,
        string="Trend",
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
        help="Average days late of the last three months against the nine months before: more than "
        "5 days better is improving, more than 5 days worse is worsening. Empty without payments in both.",
    )
    dunning_overdue_days = fields.Integer(
        string="Oldest overdue (days)",
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
    )
    dunning_risk = fields.Selection(
        DUNNING_RISKS,
        string="Credit risk",
        compute="_compute_dunning_behaviour",
        groups="account.group_account_invoice",
        help="One threshold of the settings crossed (average days late, share paid late, days overdue) is "
        "medium risk, two or more high.",
    )
    dunning_risk_reason = fields.Char(
        string="Why at risk", compute="_compute_dunning_behaviour", groups="account.group_account_invoice"
    )

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

    @api.depends_context("company")
    def _compute_dunning_behaviour(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        # _origin: a partner being created in a form has no history (and no id to query).
        commercial = self.commercial_partner_id._origin
        behaviours = commercial._dunning_payment_behaviour(company, today)
        overdue = commercial._dunning_oldest_overdue_days(company, today)
        empty = self._dunning_no_behaviour(today)
        for partner in self:
            key = partner.commercial_partner_id._origin.id
            figures = behaviours.get(key, empty)
            risk = company._dunning_assess_risk(figures, overdue.get(key, 0))
            partner.dunning_paid_count = figures.paid_count
            partner.dunning_avg_days_late = figures.avg_days_late
            partner.dunning_late_share = figures.late_share
            partner.dunning_payment_trend = figures.trend or False
            partner.dunning_overdue_days = overdue.get(key, 0)
            partner.dunning_risk = risk.level
            partner.dunning_risk_reason = company._dunning_risk_text(risk)

    @api.model
    def _dunning_paid_lines_query(self, on_date, company_ids=None, partner_ids=None):
        """Receivable lines of customer invoices fully settled in the twelve months up to
        ``on_date``: partner_id, company_id, amount (company currency), due date, pay date.
        The pay date is the latest ``max_date`` of the line's reconciliations with anything but
        a credit note (analytics/behaviour.py says why)."""
        filters = SQL()
        if company_ids is not None:
            filters = SQL("%s AND aml.company_id IN %s", filters, tuple(company_ids))
        if partner_ids is not None:
            filters = SQL("%s AND aml.partner_id IN %s", filters, tuple(partner_ids))
        return SQL(
            """SELECT aml.partner_id, aml.company_id, aml.balance AS amount, aml.date_maturity,
                      MAX(apr.max_date) AS paid_date
                 FROM account_move_line aml
                 JOIN account_move move ON move.id = aml.move_id
                 JOIN account_account account ON account.id = aml.account_id
                 JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 JOIN account_move_line counterpart ON counterpart.id = apr.credit_move_id
                 JOIN account_move counterpart_move ON counterpart_move.id = counterpart.move_id
                WHERE aml.parent_state = 'posted' AND account.account_type = 'asset_receivable'
                  AND move.move_type IN ('out_invoice', 'out_receipt')
                  AND aml.reconciled AND aml.balance > 0 AND aml.date_maturity IS NOT NULL
                  AND counterpart_move.move_type != 'out_refund' %(filters)s
                GROUP BY aml.id
               HAVING MAX(apr.max_date) > %(start)s AND MAX(apr.max_date) <= %(on_date)s""",
            filters=filters,
            start=behaviour_lib.history_start(on_date),
            on_date=on_date,
        )

    def _dunning_payment_behaviour(self, company, on_date):
        """``{partner_id: Behaviour}`` of these commercial partners in a company: one query."""
        if not self:
            return {}
        for model in ("account.move.line", "account.move", "account.partial.reconcile"):
            self.env[model].flush_model()
        rows = self.env.execute_query(self._dunning_paid_lines_query(on_date, company.ids, self.ids))
        lines = defaultdict(list)
        for partner_id, _company_id, amount, due_date, paid_date in rows:
            lines[partner_id].append(behaviour_lib.PaidLine(amount, due_date, paid_date))
        return {partner_id: behaviour_lib.behaviour(paid, on_date) for partner_id, paid in lines.items()}

    @api.model
    def _dunning_no_behaviour(self, on_date):
        return behaviour_lib.behaviour([], on_date)

    def _dunning_oldest_overdue_days(self, company, on_date):
        """``{partner_id: days}``: how late the oldest overdue receivable of each customer is."""
        if not self:
            return {}
        AML = self.env["account.move.line"]
        rows = AML._read_group(
            [
                *self.env["account.dunning.receivable"]._owed_domain(company),
                ("partner_id", "in", self.ids),
                ("date_maturity", "<", on_date),
            ],
            ["partner_id"],
            ["date_maturity:min"],
        )
        return {partner.id: (on_date - oldest).days for partner, oldest in rows}

    @api.constrains("dunning_blocked", "dunning_block_reason")
    def _check_dunning_block_reason(self):
        for partner in self:
            if partner.dunning_blocked and not (partner.dunning_block_reason or "").strip():
                raise ValidationError(
                    self.env._("Say why reminders to %(partner)s are blocked.", partner=partner.display_name)
                )

    @api.constrains("collection_commission_rate")
    def _check_collection_commission_rate(self):
        for partner in self:
            if not 0 <= partner.collection_commission_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "An agency's commission is a percentage of what it recovers, between 0 and 100 "
                        "(%(agency)s: %(rate)s).",
                        agency=partner.display_name,
                        rate=partner.collection_commission_rate,
                    )
                )

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy(self):
        self.dunning_policy_id._check_usable()

    def _dunning_policy(self, company):
        """The policy that applies to this commercial partner in a company."""
        self.ensure_one()
        return self._dunning_policies(company)[self.id]

    def _dunning_policies(self, company):
        """The policy of each partner of ``self`` in a company, ``{partner id: policy}``: its own
        (company-dependent) policy, or the company's default for its kind."""
        defaults = {
            kind: company._dunning_default_policy(kind)
            for kind, _label in self._fields["dunning_customer_kind"].selection
        }
        return {
            partner.id: partner.dunning_policy_id or defaults[partner.dunning_customer_kind or "professional"]
            for partner in self.with_company(company)
        }

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
        vals = {
            "partner_id": self.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "move_line_ids": [Command.set(lines.ids)],
        }
        if self.sudo()._dunning_policy(company).penalty_regime in UNWAIVABLE_REGIMES:
            vals["penalty_mode"] = "run"  # L2192-14: a public buyer's penalties cannot be waived
        plan = self.env["account.dunning.installment.plan"].create(vals)
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
