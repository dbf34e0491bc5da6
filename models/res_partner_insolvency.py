from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..law import insolvency

INSOLVENCY_KINDS = [
    ("safeguard", "Safeguard (sauvegarde)"),
    ("receivership", "Receivership (redressement judiciaire)"),
    ("liquidation", "Liquidation (liquidation judiciaire)"),
]
GROUP_INVOICE = "account.group_account_invoice"
# Days before the declaration deadline the activity to declare the claims is due.
DECLARATION_MARGIN_DAYS = 7
AMOUNT_KEYS = ("principal", "interest", "indemnity", "total")


class ResPartner(models.Model):
    """A customer in insolvency proceedings (Code de commerce, Book VI; see :mod:`..law.insolvency`):
    the judgment, the court and its representative, and the deadline to declare the claims."""

    _inherit = "res.partner"

    dunning_insolvency_date = fields.Date(
        string="Insolvency judgment on",
        tracking=True,
        groups=GROUP_INVOICE,
        help="Date of the opening judgment of insolvency proceedings. From that day, debts born before it are "
        "no longer reminded, put in a plan or handed to an agency, and their interest stops (L622-28); they "
        "are declared to the court-appointed representative. Debts born later are dunned as usual.",
    )
    dunning_insolvency_kind = fields.Selection(INSOLVENCY_KINDS, string="Proceedings", groups=GROUP_INVOICE)
    dunning_insolvency_court = fields.Char(string="Court", groups=GROUP_INVOICE)
    dunning_insolvency_representative_id = fields.Many2one(
        "res.partner",
        string="Court-appointed representative",
        groups=GROUP_INVOICE,
        help="The mandataire judiciaire (or liquidator) to whom the claims are declared.",
    )
    dunning_insolvency_publication_date = fields.Date(
        string="BODACC publication on",
        groups=GROUP_INVOICE,
        help="The claims must be declared within 2 months of this date (4 months for a creditor outside France).",
    )
    dunning_claim_deadline = fields.Date(
        string="Declare the claims by",
        compute="_compute_dunning_claim_deadline",
        groups=GROUP_INVOICE,
    )

    @api.depends("dunning_insolvency_publication_date")
    @api.depends_context("company")
    def _compute_dunning_claim_deadline(self):
        abroad = insolvency.outside_metropolitan_france(self.env.company.country_id.code)
        for partner in self:
            partner.dunning_claim_deadline = insolvency.declaration_deadline(
                partner.dunning_insolvency_publication_date, abroad
            )

    @api.constrains(
        "dunning_insolvency_date",
        "dunning_insolvency_kind",
        "dunning_insolvency_publication_date",
        "dunning_insolvency_representative_id",
    )
    def _check_dunning_insolvency(self):
        today = fields.Date.context_today(self)
        for partner in self:
            judgment = partner.dunning_insolvency_date
            if not judgment:
                if partner.dunning_insolvency_publication_date:
                    raise ValidationError(
                        self.env._("Enter the date of the opening judgment of %(partner)s first.", partner=partner.name)
                    )
                continue
            if judgment > today:
                raise ValidationError(
                    self.env._("An opening judgment cannot be dated in the future (%(partner)s).", partner=partner.name)
                )
            if not partner.dunning_insolvency_kind:
                raise ValidationError(
                    self.env._(
                        "Say which proceedings were opened against %(partner)s: safeguard, receivership or "
                        "liquidation.",
                        partner=partner.name,
                    )
                )
            publication = partner.dunning_insolvency_publication_date
            if publication and publication < judgment:
                raise ValidationError(
                    self.env._(
                        "The BODACC publishes a judgment after it is given: %(publication)s is before the judgment "
                        "of %(judgment)s.",
                        publication=publication,
                        judgment=judgment,
                    )
                )
            if partner.dunning_insolvency_representative_id == partner:
                raise ValidationError(self.env._("The court-appointed representative is not the customer itself."))

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        # Any user may create a contact (sign-up, sales): the accounting fields are read as superuser.
        partners.sudo().filtered("dunning_insolvency_date")._dunning_on_insolvency()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if {"dunning_insolvency_date", "dunning_insolvency_publication_date"} & set(vals):
            self.filtered("dunning_insolvency_date").sudo()._dunning_on_insolvency()
        return result

    def _dunning_on_insolvency(self):
        """The cases go to the insolvency stage and, once the publication is known, the
        collector gets an activity due before the declaration deadline."""
        today = fields.Date.context_today(self)
        Case = self.env["account.dunning.case"]
        stage = Case._stages().get("insolvency")
        cases = Case.search([("partner_id", "in", self.commercial_partner_id.ids)])
        if stage:
            cases.filtered(lambda case: not case.stage_id.is_resolved).write({"stage_id": stage.id})
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for partner in self:
            deadline = partner.dunning_claim_deadline
            if not deadline or not todo:
                continue
            summary = self.env._("Declare the claims against %(partner)s", partner=partner.name)
            representative = partner.dunning_insolvency_representative_id.name or self.env._("the representative")
            note = self.env._(
                "Send the declaration of claim (Dunning > Print > Declaration of claim) to %(representative)s "
                "with copies of the invoices, before %(deadline)s.",
                representative=representative,
                deadline=format_date(self.env, deadline),
            )
            due = max(today, deadline - timedelta(days=DECLARATION_MARGIN_DAYS))
            existing = partner.activity_ids.filtered(lambda activity, summary=summary: activity.summary == summary)
            if existing:
                # A corrected publication date moves the to-do with the deadline: never a stale date.
                existing.write({"note": note, "date_deadline": due})
                continue
            partner.activity_schedule(
                activity_type_id=todo.id,
                summary=summary,
                note=note,
                date_deadline=due,
                user_id=(partner.dunning_responsible_id or partner.user_id or self.env.user).id,
            )

    def _dunning_claim_declaration(self, company):
        """The claims of ``company`` on this customer born before the opening judgment, as the
        declaration states them: one row per invoice with the principal still owed, the interest
        up to the judgment day, the indemnity and the total; and the grand totals."""
        self.ensure_one()
        judgment = self.dunning_insolvency_date
        if not judgment:
            return {"rows": [], "totals": {}}
        lines = self.env["account.move.line"].search(
            [
                *self.env["account.dunning.receivable"]._owed_domain(company),
                ("partner_id", "=", self.commercial_partner_id.id),
            ]
        )
        lines = lines._dunning_insolvency_caught()
        moves = lines.move_id
        penalties = moves._compute_late_penalties(judgment)
        by_move = lines.grouped("move_id")
        rows = []
        for move in moves.sorted(lambda move: (move.invoice_date or move.date, move.id)):
            principal = sum(by_move[move].mapped("amount_residual_currency"))
            penalty = penalties.get(move.id)
            interest = penalty.interest if penalty else 0.0
            indemnity = penalty.indemnity if penalty else 0.0
            rows.append(
                {
                    "move": move,
                    "currency": move.currency_id,
                    "principal": move.currency_id.round(principal),
                    "interest": interest,
                    "indemnity": indemnity,
                    "total": move.currency_id.round(principal + interest + indemnity),
                }
            )
        totals = {}
        for row in rows:
            total = totals.setdefault(row["currency"], dict.fromkeys(AMOUNT_KEYS, 0.0))
            for key in total:
                total[key] = row["currency"].round(total[key] + row[key])
        return {"rows": rows, "totals": totals}
