import csv
import io

import xlsxwriter
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools.misc import formatLang

from .record_lock import internal

# Only what collection needs (GDPR data minimisation): identity, contact, the invoices and
# the amounts broken down. Nothing else of the customer record leaves the company.
EXPORT_COLUMNS = (
    "debtor_name",
    "debtor_vat",
    "debtor_street",
    "debtor_zip",
    "debtor_city",
    "debtor_country",
    "debtor_email",
    "debtor_phone",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "principal",
    "interest",
    "indemnity",
    "total",
    "total_company_currency",
    "company_currency",
)


class AccountDunningHandoff(models.Model):
    _name = "account.dunning.handoff"
    _description = "Collection Agency Hand-off"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection agency",
        required=True,
        tracking=True,
        domain="[('is_collection_agency', '=', True)]",
    )
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True, index=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Handed over on", default=fields.Date.context_today, required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "Sent to the agency"),
            ("in_progress", "In progress"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    outcome = fields.Selection(
        [("full", "Fully recovered"), ("partial", "Partly recovered"), ("none", "Unrecoverable")],
        readonly=True,
        copy=False,
        tracking=True,
    )
    commission_rate = fields.Float(string="Commission (%)", digits=(16, 2))
    line_ids = fields.One2many("account.dunning.handoff.line", "handoff_id", string="Receivables", copy=True)
    amount_total = fields.Monetary(
        compute="_compute_amounts", currency_field="company_currency_id", string="Handed over"
    )
    amount_recovered = fields.Monetary(
        compute="_compute_amounts", currency_field="company_currency_id", string="Recovered"
    )
    amount_written_off = fields.Monetary(
        compute="_compute_amounts", currency_field="company_currency_id", string="Written off"
    )
    amount_outstanding = fields.Monetary(
        compute="_compute_amounts",
        currency_field="company_currency_id",
        string="Outstanding",
        help="Still open: what the receivables owe in the accounts, and the penalties still claimed.",
    )
    amount_penalties_unrecovered = fields.Monetary(
        compute="_compute_amounts",
        currency_field="company_currency_id",
        string="Penalties not recovered",
        help="Interest and indemnity the agency did not recover. Penalties are booked only as they are recovered, "
        "so these were never income and are no loss.",
    )
    amount_commission = fields.Monetary(
        compute="_compute_amount_commission",
        currency_field="company_currency_id",
        string="Commission booked",
    )
    commission_move_ids = fields.Many2many(
        "account.move",
        "account_dunning_handoff_commission_rel",
        "handoff_id",
        "move_id",
        string="Commission entries",
        readonly=True,
        copy=False,
    )
    commission_move_id = fields.Many2one(
        "account.move", string="Commission entry", compute="_compute_amount_commission", help="The latest one."
    )
    commission_to_book = fields.Boolean(
        string="Commission to book",
        compute="_compute_amount_commission",
        help="Recoveries since the last commission entry call for a commission.",
    )
    payment_ids = fields.Many2many(
        "account.payment",
        "account_dunning_handoff_payment_rel",
        "handoff_id",
        "payment_id",
        string="Recovery payments",
        readonly=True,
        copy=False,
    )
    penalty_invoice_ids = fields.Many2many(
        "account.move", compute="_compute_penalty_invoice_ids", string="Penalty invoices"
    )
    write_off_move_id = fields.Many2one("account.move", string="Write-off entry", readonly=True, copy=False)
    export_csv_id = fields.Many2one("ir.attachment", string="CSV export", readonly=True, copy=False)
    export_xlsx_id = fields.Many2one("ir.attachment", string="XLSX export", readonly=True, copy=False)

    @api.depends("partner_id", "agency_id")
    def _compute_name(self):
        for handoff in self:
            handoff.name = self.env._(
                "%(debtor)s to %(agency)s", debtor=handoff.partner_id.name or "", agency=handoff.agency_id.name or ""
            )

    @api.depends(
        "line_ids.total_company",
        "line_ids.recovered_company",
        "line_ids.written_off_company",
        "line_ids.penalties_unrecovered_company",
        "line_ids.outstanding_company",
    )
    def _compute_amounts(self):
        """Each figure is what the journal entries say: recovered = the recovery payments,
        written off = the loss entry, outstanding = the receivables' balance plus the penalties
        still claimed. In the company currency, handed over = recovered + written off +
        penalties not recovered + outstanding (in another currency, up to exchange
        differences: each figure is at the rate of its own entry)."""
        for handoff in self:
            lines = handoff.line_ids
            currency = handoff.company_currency_id
            handoff.amount_total = currency.round(sum(lines.mapped("total_company")))
            handoff.amount_recovered = currency.round(sum(lines.mapped("recovered_company")))
            handoff.amount_written_off = currency.round(sum(lines.mapped("written_off_company")))
            handoff.amount_penalties_unrecovered = currency.round(sum(lines.mapped("penalties_unrecovered_company")))
            handoff.amount_outstanding = currency.round(sum(lines.mapped("outstanding_company")))

    @api.depends(
        "commission_move_ids.state", "commission_move_ids.line_ids.balance", "amount_recovered", "commission_rate"
    )
    def _compute_amount_commission(self):
        for handoff in self:
            currency = handoff.company_currency_id
            entries = handoff.commission_move_ids.filtered(lambda move: move.state == "posted")
            handoff.amount_commission = currency.round(
                sum(entries.line_ids.filtered(lambda line: line.balance > 0).mapped("balance"))
            )
            handoff.commission_move_id = handoff.commission_move_ids.sorted("id")[-1:]
            handoff.commission_to_book = not currency.is_zero(handoff._commission_due() - handoff.amount_commission)

    def _commission_due(self):
        """The agency's fee on everything recovered (and booked) so far."""
        self.ensure_one()
        return self.company_currency_id.round(self.amount_recovered * self.commission_rate / 100)

    def _compute_penalty_invoice_ids(self):
        penalties = self.env["account.dunning.penalty"].search([("handoff_line_id", "in", self.line_ids._origin.ids)])
        for handoff in self:
            handoff.penalty_invoice_ids = penalties.filtered(
                lambda penalty, handoff=handoff: penalty.handoff_line_id.handoff_id == handoff._origin
            ).penalty_move_id

    @api.constrains("commission_rate")
    def _check_commission_rate(self):
        for handoff in self:
            if not 0 <= handoff.commission_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "An agency's commission is a percentage of what it recovers, between 0 and 100 "
                        "(%(agency)s: %(rate)s).",
                        agency=handoff.agency_id.display_name,
                        rate=handoff.commission_rate,
                    )
                )

    @api.onchange("agency_id")
    def _onchange_agency_id(self):
        if self.agency_id:
            self.commission_rate = self.agency_id.collection_commission_rate

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(handoff.state != "draft" for handoff in self):
            raise UserError(self.env._("Only a draft hand-off can be deleted; cancel it instead."))

    def _check_recovery_entry(self):
        """What the agency recovered is entered on a hand-off it works on."""
        closed = self.filtered(lambda handoff: handoff.state not in ("draft", "sent", "in_progress"))
        if closed:
            raise UserError(
                self.env._(
                    "%(handoff)s is %(state)s: recoveries are entered while the agency works on the receivables.",
                    handoff=closed[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[closed[0].state],
                )
            )

    def _check_manager(self):
        if not self.env.user.has_group("account_dunning.group_dunning_manager"):
            raise UserError(
                self.env._(
                    "Only a dunning manager can confirm or withdraw a hand-off, record its outcome or write off."
                )
            )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Freeze each line's amounts, stop reminders and plans, produce the mandate and the
        export for the agency."""
        self._check_manager()
        for handoff in self:
            if handoff.state != "draft":
                raise UserError(self.env._("Only a draft hand-off can be confirmed."))
            if not handoff.line_ids:
                raise UserError(self.env._("Choose the receivables to hand over."))
            lines = handoff.line_ids.move_line_id
            taken = lines.filtered(
                lambda line, handoff=handoff: line.dunning_handoff_id and line.dunning_handoff_id != handoff
            )
            if taken:
                raise UserError(
                    self.env._(
                        "%(invoice)s is already handed to an agency (%(handoff)s).",
                        invoice=taken[0].move_id.name,
                        handoff=taken[0].dunning_handoff_id.name,
                    )
                )
            if lines.filtered(lambda line: line.reconciled or not line.amount_residual_currency):
                raise UserError(self.env._("A paid receivable cannot be handed to an agency."))
            # The penalties frozen here must not be invoiced at the same moment by someone else.
            self.env["account.dunning.penalty"]._lock_receivables(lines.move_id)
            handoff.line_ids._freeze_amounts(handoff.date)
            plans = lines.dunning_plan_id.filtered(lambda plan: plan.state == "active")
            for plan in plans:
                plan.message_post(body=self.env._("Cancelled: its receivables were handed to a collection agency."))
            plans.action_cancel()
            lines.write({"dunning_handoff_id": handoff.id})
            open_letters = self.env["account.dunning.letter"].search(
                [("line_ids.move_line_id", "in", lines.ids), ("state", "in", ("draft", "to_send", "failed"))]
            )
            open_letters.action_cancel()
            handoff.write({"state": "sent"})
            self.env["account.dunning.case"]._on_event(handoff.partner_id, handoff.company_id, "agency")
            handoff._make_exports()
            # Both exports stay on the hand-off; the message carries the one the agency reads.
            export = (
                handoff.export_csv_id if handoff.agency_id.collection_export_format == "csv" else handoff.export_xlsx_id
            )
            handoff.message_post(
                body=self.env._("Handed over to %(agency)s.", agency=handoff.agency_id.name),
                attachment_ids=export.ids,
            )
        return True

    def action_start(self):
        self.filtered(lambda handoff: handoff.state == "sent").write({"state": "in_progress"})

    def action_cancel(self):
        if any(handoff.state == "sent" for handoff in self):
            # Withdrawing the mandate from the agency undoes a manager's decision.
            self._check_manager()
        for handoff in self:
            if handoff.state not in ("draft", "sent"):
                raise UserError(self.env._("Only a draft or sent hand-off can be cancelled."))
            handoff.line_ids.move_line_id.filtered(
                lambda line, handoff=handoff: line.dunning_handoff_id == handoff
            ).write({"dunning_handoff_id": False})
            handoff.write({"state": "cancelled"})
        return True

    def action_print_mandate(self):
        return self.env.ref("account_dunning.action_report_dunning_handoff").report_action(self)

    # ------------------------------------------------------------------
    # Export (CSV and XLSX): only the data collection needs
    # ------------------------------------------------------------------

    def _export_rows(self):
        self.ensure_one()
        debtor = self.partner_id.commercial_partner_id
        identity = {
            "debtor_name": debtor.name or "",
            "debtor_vat": debtor.vat or "",
            "debtor_street": " ".join(filter(None, [debtor.street, debtor.street2])),
            "debtor_zip": debtor.zip or "",
            "debtor_city": debtor.city or "",
            "debtor_country": debtor.country_id.code or "",
            "debtor_email": debtor.email or "",
            "debtor_phone": debtor.phone or "",
        }
        rows = []
        for line in self.line_ids:
            rows.append(
                {
                    **identity,
                    "invoice_number": line.move_line_id._dunning_document_label(),
                    "invoice_date": str(line.move_line_id._dunning_document_date() or ""),
                    "due_date": str(line.date_maturity or ""),
                    "currency": line.currency_id.name,
                    "principal": line.principal,
                    "interest": line.interest,
                    "indemnity": line.indemnity,
                    "total": line.total,
                    "total_company_currency": line.total_company,
                    "company_currency": self.company_currency_id.name,
                }
            )
        return rows

    def _make_exports(self):
        self.ensure_one()
        rows = self._export_rows()
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        binary = io.BytesIO()
        workbook = xlsxwriter.Workbook(binary, {"in_memory": True})
        sheet = workbook.add_worksheet("handoff")
        for column, name in enumerate(EXPORT_COLUMNS):
            sheet.write(0, column, name)
            for index, row in enumerate(rows, start=1):
                sheet.write(index, column, row[name])
        workbook.close()
        stem = f"handoff-{self.id}-{self.partner_id.commercial_partner_id.name or ''}".replace("/", "-")
        Attachment = self.env["ir.attachment"]
        self.export_csv_id = Attachment.create(
            {
                "name": f"{stem}.csv",
                "raw": text.getvalue().encode(),
                "mimetype": "text/csv",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.export_xlsx_id = Attachment.create(
            {
                "name": f"{stem}.xlsx",
                "raw": binary.getvalue(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )

    # ------------------------------------------------------------------
    # Outcomes
    # ------------------------------------------------------------------

    def action_record_recoveries(self, on_date=None):
        """Book what the agency recovered on each line (the ``to_record`` amounts): principal
        first, as customer payments reconciled with the receivables, then the interest and
        indemnity on a penalty invoice of their own, paid at once. An amount above what a line
        still claims refuses the whole recording, and nothing is booked."""
        self._check_manager()
        on_date = on_date or fields.Date.context_today(self)
        for handoff in self:
            if handoff.state not in ("sent", "in_progress"):
                raise UserError(self.env._("Record recoveries on a hand-off sent to the agency."))
            pending = handoff.line_ids.filtered("to_record")
            if not pending:
                raise UserError(self.env._("Enter the amounts the agency recovered first."))
            # Two managers recording the same statement at once would book it twice.
            self.env["account.dunning.penalty"]._lock_receivables(pending.move_id)
            allocations = pending._allocate_recoveries()
            payments = pending._book_recoveries(allocations, on_date)
            handoff.write({"state": "in_progress", "payment_ids": [Command.link(payment.id) for payment in payments]})
        return True

    def action_book_commission(self, on_date=None):
        """The agency's fee on what it recovered and was booked: an expense against the
        agency. Booking again after new recoveries books the fee on those only, so the
        commission booked is always the rate of everything recovered."""
        self._check_manager()
        on_date = on_date or fields.Date.context_today(self)
        for handoff in self:
            currency = handoff.company_currency_id
            due = handoff._commission_due()
            amount = currency.round(due - handoff.amount_commission)
            if currency.compare_amounts(amount, 0) < 0:
                raise UserError(
                    self.env._(
                        "The commission booked (%(booked)s) is more than %(rate)s %% of what was recovered "
                        "(%(due)s): reverse a commission entry first.",
                        booked=formatLang(self.env, handoff.amount_commission, currency_obj=currency),
                        rate=handoff.commission_rate,
                        due=formatLang(self.env, due, currency_obj=currency),
                    )
                )
            if currency.is_zero(amount):
                if handoff.commission_move_ids:
                    raise UserError(
                        self.env._("The commission of this hand-off is already booked on everything recovered so far.")
                    )
                raise UserError(self.env._("There is no commission to book: nothing recovered or no rate."))
            expense, _loss, journal = handoff.company_id._dunning_handoff_accounts()
            payable = handoff.agency_id.with_company(handoff.company_id).property_account_payable_id
            move = handoff._post_entry(
                journal,
                on_date,
                self.env._("Collection commission - %(name)s", name=handoff.name),
                [
                    Command.create(
                        {
                            "account_id": expense.id,
                            "debit": amount,
                            "name": handoff.name,
                            "partner_id": handoff.agency_id.id,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": payable.id,
                            "credit": amount,
                            "name": handoff.name,
                            "partner_id": handoff.agency_id.id,
                        }
                    ),
                ],
            )
            handoff.commission_move_ids = [Command.link(move.id)]
        return True

    def action_write_off(self, on_date=None):
        """Post the loss of what stays unpaid and reconcile it, so nothing remains open."""
        self._check_manager()
        on_date = on_date or fields.Date.context_today(self)
        for handoff in self:
            if handoff.state not in ("sent", "in_progress"):
                raise UserError(self.env._("Only a hand-off sent to the agency can be written off."))
            open_lines = handoff.line_ids.move_line_id.filtered(lambda line: not line.reconciled)
            if not open_lines:
                raise UserError(self.env._("Nothing is left to write off: every receivable is paid."))
            _expense, loss, journal = handoff.company_id._dunning_handoff_accounts()
            company_currency = handoff.company_currency_id
            commands = []
            for line in open_lines:
                commands.append(
                    Command.create(
                        {
                            "account_id": line.account_id.id,
                            "partner_id": line.partner_id.id,
                            "currency_id": line.currency_id.id,
                            "amount_currency": -line.amount_residual_currency,
                            "balance": -line.amount_residual,
                            "name": self.env._("Write-off of %(invoice)s", invoice=line.move_id.name),
                        }
                    )
                )
            # What the loss entry books for each line: its balance, nothing else.
            written_off = {line: (line.amount_residual_currency, line.amount_residual) for line in open_lines}
            total = sum(open_lines.mapped("amount_residual"))
            commands.append(
                Command.create(
                    {
                        "account_id": loss.id,
                        "balance": total,
                        "name": self.env._("Irrecoverable receivables - %(name)s", name=handoff.name),
                        "partner_id": handoff.partner_id.id,
                    }
                )
            )
            move = handoff._post_entry(
                journal, on_date, self.env._("Write-off - %(name)s", name=handoff.name), commands
            )
            for account in open_lines.account_id:
                (open_lines | move.line_ids).filtered(
                    lambda aml, account=account: aml.account_id == account
                ).reconcile()
            for handoff_line in handoff.line_ids:
                amount, amount_company = written_off.get(handoff_line.move_line_id, (0.0, 0.0))
                internal(handoff_line).write(
                    {
                        "written_off": handoff_line.currency_id.round(amount),
                        "written_off_company": company_currency.round(amount_company),
                    }
                )
            handoff.write_off_move_id = move
            handoff._close()
        return True

    def _post_entry(self, journal, on_date, ref, line_commands):
        self.ensure_one()
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "company_id": self.company_id.id,
                "journal_id": journal.id,
                "date": on_date,
                "ref": ref,
                "line_ids": line_commands,
            }
        )
        move.action_post()
        return move

    def action_close(self):
        self._check_manager()
        for handoff in self:
            if handoff.line_ids.move_line_id.filtered(lambda line: not line.reconciled):
                raise UserError(self.env._("Some receivables are still open: record the recoveries or write them off."))
            handoff._close()
        return True

    def _close(self):
        """Close the hand-off: the penalties the agency did not recover are dropped (they
        were never booked)."""
        self.ensure_one()
        for line in self.line_ids:
            unrecovered = line._penalties_still_claimed()
            internal(line).write(
                {
                    "penalties_unrecovered": unrecovered,
                    "penalties_unrecovered_company": line._to_company_currency(unrecovered),
                }
            )
        if self.company_currency_id.is_zero(self.amount_recovered):
            outcome = "none"
        elif self.company_currency_id.is_zero(self.amount_written_off):
            outcome = "full"
        else:
            outcome = "partial"
        self.write({"state": "closed", "outcome": outcome})
        currency = self.company_currency_id
        self.message_post(
            body=Markup("%s")
            % self.env._(
                "Closed: %(recovered)s recovered, %(written_off)s written off, %(unrecovered)s of penalties not "
                "recovered (never booked).",
                recovered=formatLang(self.env, self.amount_recovered, currency_obj=currency),
                written_off=formatLang(self.env, self.amount_written_off, currency_obj=currency),
                unrecovered=formatLang(self.env, self.amount_penalties_unrecovered, currency_obj=currency),
            )
        )
