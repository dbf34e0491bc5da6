from collections import defaultdict

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools.misc import format_date, formatLang

from ..models.penalty_tools import PenaltyClaim


class AccountDunningPenaltyInvoice(models.TransientModel):
    """Invoice the late-payment penalties of late invoices: one invoice per customer and
    currency, an interest line per late invoice and its recovery indemnity, no tax."""

    _name = "account.dunning.penalty.invoice"
    _description = "Invoice late-payment penalties"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_ids = fields.Many2many(
        "account.move",
        string="Late invoices",
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'), "
        "('company_id', '=', company_id)]",
    )
    date = fields.Date(string="Penalties up to", required=True, default=fields.Date.context_today)
    post = fields.Boolean(string="Post the invoices", default=False)
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        moves = self.env["account.move"]
        if context.get("active_model") == "account.move":
            moves = moves.browse(context.get("active_ids", []))
        elif context.get("active_model") == "account.dunning.letter":
            moves = self.env["account.dunning.letter"].browse(context.get("active_ids", [])).line_ids.move_id
        if moves and "move_ids" in fields_list:
            values["move_ids"] = [Command.set(moves.ids)]
            values["company_id"] = moves.company_id[:1].id or self.env.company.id
        return values

    @api.depends("move_ids", "date")
    def _compute_summary(self):
        for wizard in self:
            if not wizard.move_ids:
                wizard.summary = False
                continue
            results = wizard.move_ids._compute_late_penalties(wizard.date)
            rows = Markup().join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    move.name,
                    move.partner_id.display_name,
                    formatLang(self.env, results[move.id].interest, currency_obj=move.currency_id),
                    formatLang(self.env, results[move.id].indemnity, currency_obj=move.currency_id),
                )
                for move in wizard.move_ids
                if move.id in results
            )
            wizard.summary = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (self.env._("Invoice"), self.env._("Customer"), self.env._("Interest"), self.env._("Indemnity"), rows)

    def action_create_invoices(self):
        self.ensure_one()
        invoices = self._create_penalty_invoices()
        if self.post:
            invoices.action_post()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        if len(invoices) == 1:
            action.update({"views": [(False, "form")], "res_id": invoices.id})
        return action

    def _penalty_accounts(self):
        company = self.company_id
        interest, indemnity, journal = company._dunning_penalty_accounts()
        if not (interest and indemnity and journal):
            raise UserError(
                self.env._(
                    "Set the income accounts and the journal of late-payment penalties in Invoicing > "
                    "Configuration > Settings > Dunning before invoicing penalties."
                )
            )
        return interest, indemnity, journal

    def _create_penalty_invoices(self):
        """Create the penalty invoices and remember the periods they cover.

        The late invoices' receivable lines are locked first: a second invoicing of the same
        invoices at the same moment (another user, or a level invoicing penalties as its
        letter is sent) is refused at once, and the database refuses any period that would
        overlap one already standing (see ``account.dunning.penalty``)."""
        if not self.move_ids:
            raise UserError(self.env._("Select the late invoices whose penalties you want to invoice."))
        today = fields.Date.context_today(self)
        if self.date > today:
            # Interest accrues day by day: the days after today have not elapsed, nothing is owed for them.
            raise UserError(
                self.env._(
                    "Penalties can be invoiced up to today at the latest (%(today)s): the days after it have not "
                    "elapsed yet.",
                    today=format_date(self.env, today),
                )
            )
        self._penalty_accounts()
        self.env["account.dunning.penalty"]._lock_receivables(self.move_ids)
        results = self.move_ids._compute_late_penalties(self.date)
        errors = [result.error for result in results.values() if result.error]
        if errors:
            raise UserError(self.move_ids[:1]._dunning_rate_error_message(errors[0]))
        claims, handed_off = self._claims(results)
        if not claims:
            if handed_off:
                raise UserError(
                    self.env._(
                        "The penalties of %(invoices)s are part of a collection agency's mandate: they are invoiced "
                        "when you record, on the hand-off, what the agency recovered.",
                        invoices=", ".join(handed_off.mapped("name")),
                    )
                )
            raise UserError(
                self.env._("There is nothing to invoice: no penalty is due on these invoices for that date.")
            )
        return self._make_penalty_invoices(claims)

    def _claims(self, results):
        """What to invoice for each late invoice, from ``_compute_late_penalties`` results.

        Receivables handed to a collection agency are left out, and so is their invoice's
        indemnity: the agency claims them, and the hand-off invoices what it recovers.
        Returns the claims and the invoices left out (wholly or partly) for that reason."""
        claims = []
        handed_off = self.env["account.move"]
        for move in self.move_ids:
            result = results.get(move.id)
            if not result:
                continue
            lines = [(line, penalty) for line, penalty in result.lines if not line.dunning_handoff_id]
            interest, indemnity = result.interest, result.indemnity
            if len(lines) < len(result.lines):
                handed_off |= move
                interest = move.currency_id.round(sum(penalty.interest for _line, penalty in lines))
                indemnity = 0.0
            if not (interest or indemnity):
                continue
            segments = [segment for _line, penalty in lines for segment in penalty.segments]
            span = (
                (min(segment.date_from for segment in segments), max(segment.date_to for segment in segments))
                if segments
                else None
            )
            claims.append(PenaltyClaim(move, interest, indemnity, span, self._period_vals(lines, indemnity)))
        return claims, handed_off

    def _make_penalty_invoices(self, claims):
        """One invoice per customer and currency for ``claims`` (``PenaltyClaim``), with the
        periods they cover. Either all is created or nothing: periods the database refuses
        (already invoiced by someone else meanwhile) undo the invoices too."""
        accounts = self._penalty_accounts()
        groups = defaultdict(list)
        for claim in claims:
            groups[(claim.move.commercial_partner_id, claim.move.currency_id)].append(claim)
        Penalty = self.env["account.dunning.penalty"]
        try:
            # The savepoint flushes on leaving: the database checks the periods there.
            with self.env.cr.savepoint():
                invoices = self.env["account.move"].create(
                    [
                        {
                            "move_type": "out_invoice",
                            "company_id": self.company_id.id,
                            "partner_id": partner.id,
                            "currency_id": currency.id,
                            "journal_id": accounts[2].id,
                            "invoice_date": self.date,
                            "invoice_origin": ", ".join(dict.fromkeys(claim.move.name for claim in items)),
                            "is_dunning_penalty": True,
                            "invoice_line_ids": [
                                command for claim in items for command in self._invoice_line_commands(claim, accounts)
                            ],
                        }
                        for (partner, currency), items in groups.items()
                    ]
                )
                Penalty.create(
                    [
                        {**period, "penalty_move_id": invoice.id}
                        for invoice, items in zip(invoices, groups.values(), strict=True)
                        for claim in items
                        for period in claim.periods
                    ]
                )
        except (psycopg2.errors.ExclusionViolation, psycopg2.errors.UniqueViolation) as error:
            if error.diag.constraint_name not in Penalty._invoiced_once_constraint_names():
                raise
            raise UserError(
                self.env._(
                    "The penalties of %(invoices)s were invoiced by someone else meanwhile. Nothing was invoiced: "
                    "open the invoice again to see what is still due.",
                    invoices=", ".join(dict.fromkeys(claim.move.name for claim in claims)),
                )
            ) from None
        for invoice in invoices:
            invoice.message_post(
                body=self.env._("Late-payment penalties of %(invoices)s.", invoices=invoice.invoice_origin)
            )
        return invoices

    def _invoice_line_commands(self, claim, accounts):
        """An interest line and an indemnity line for one late invoice, without tax."""
        interest_account, indemnity_account, _journal = accounts
        move = claim.move
        commands = []
        if claim.interest:
            if claim.span:
                name = self.env._(
                    "Late-payment interest on %(invoice)s from %(start)s to %(end)s",
                    invoice=move.name,
                    start=claim.span[0],
                    end=claim.span[1],
                )
            else:
                name = self.env._("Late-payment interest on %(invoice)s", invoice=move.name)
            commands.append(self._penalty_line_command(name, claim, interest_account, claim.interest))
        if claim.indemnity:
            name = self.env._("Fixed recovery indemnity for %(invoice)s", invoice=move.name)
            commands.append(self._penalty_line_command(name, claim, indemnity_account, claim.indemnity))
        return commands

    def _penalty_line_command(self, name, claim, account, amount):
        return Command.create(
            {
                "name": f"{name} ({claim.note})" if claim.note else name,
                "account_id": account.id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            }
        )

    def _period_vals(self, lines, indemnity):
        """The periods a penalty invoice covers, per receivable line (``[(line,
        LinePenalty)]``); the indemnity (one per late invoice) is recorded on its first line."""
        vals_list = []
        for line, penalty in lines:
            if not (penalty.segments or indemnity):
                continue
            vals_list.append(
                {
                    "move_line_id": line.id,
                    "date_from": min((segment.date_from for segment in penalty.segments), default=False),
                    "date_to": max((segment.date_to for segment in penalty.segments), default=self.date),
                    "interest_amount": penalty.interest,
                    "indemnity_amount": indemnity,
                }
            )
            indemnity = 0.0
        return vals_list
