from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools.misc import format_date, formatLang


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
        """Create the penalty invoices and remember the periods they cover."""
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
        accounts = self._penalty_accounts()
        results = self.move_ids._compute_late_penalties(self.date)
        errors = [result.error for result in results.values() if result.error]
        if errors:
            raise UserError(self.move_ids[:1]._dunning_rate_error_message(errors[0]))
        groups = defaultdict(list)
        for move in self.move_ids:
            result = results.get(move.id)
            if result and (result.interest or result.indemnity):
                groups[(move.commercial_partner_id, move.currency_id)].append((move, result))
        if not groups:
            raise UserError(
                self.env._("There is nothing to invoice: no penalty is due on these invoices for that date.")
            )
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": self.company_id.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "journal_id": accounts[2].id,
                    "invoice_date": self.date,
                    "invoice_origin": ", ".join(move.name for move, _result in items),
                    "is_dunning_penalty": True,
                    "invoice_line_ids": [
                        command
                        for move, result in items
                        for command in self._invoice_line_commands(move, result, accounts)
                    ],
                }
                for (partner, currency), items in groups.items()
            ]
        )
        self.env["account.dunning.penalty"].create(
            [
                vals
                for invoice, items in zip(invoices, groups.values(), strict=True)
                for _move, result in items
                for vals in self._period_vals(invoice, result)
            ]
        )
        for invoice in invoices:
            invoice.message_post(
                body=self.env._("Late-payment penalties of %(invoices)s.", invoices=invoice.invoice_origin)
            )
        return invoices

    def _invoice_line_commands(self, move, result, accounts):
        """An interest line and an indemnity line for one late invoice, without tax."""
        interest_account, indemnity_account, _journal = accounts
        commands = []
        if result.interest:
            periods = [segment for _line, penalty in result.lines for segment in penalty.segments]
            commands.append(
                Command.create(
                    {
                        "name": self.env._(
                            "Late-payment interest on %(invoice)s from %(start)s to %(end)s",
                            invoice=move.name,
                            start=min(segment.date_from for segment in periods),
                            end=max(segment.date_to for segment in periods),
                        ),
                        "account_id": interest_account.id,
                        "quantity": 1,
                        "price_unit": result.interest,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        if result.indemnity:
            commands.append(
                Command.create(
                    {
                        "name": self.env._("Fixed recovery indemnity for %(invoice)s", invoice=move.name),
                        "account_id": indemnity_account.id,
                        "quantity": 1,
                        "price_unit": result.indemnity,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return commands

    def _period_vals(self, invoice, result):
        """The periods a penalty invoice covers, per receivable line; the indemnity (one per
        late invoice) is recorded on its first line."""
        vals_list = []
        indemnity = result.indemnity
        for line, penalty in result.lines:
            if not (penalty.segments or indemnity):
                continue
            vals_list.append(
                {
                    "move_line_id": line.id,
                    "penalty_move_id": invoice.id,
                    "date_from": min((segment.date_from for segment in penalty.segments), default=False),
                    "date_to": max((segment.date_to for segment in penalty.segments), default=self.date),
                    "interest_amount": penalty.interest,
                    "indemnity_amount": indemnity,
                }
            )
            indemnity = 0.0
        return vals_list
