from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools.misc import format_amount, format_date, formatLang

from ..law.schedule import (
    MAX_MONTHS_EVER,
    MAX_MONTHS_WITHOUT_MANAGER,
    PlanTooLong,
    ScheduleError,
    build_schedule,
    span_in_months,
)
from .account_dunning_policy import UNWAIVABLE_REGIMES
from .record_lock import internal, is_internal

# What the customer agreed to when the plan was confirmed: the debts covered and the terms of
# the schedule. After confirmation they change through no plain write (the installments
# themselves change only through Reschedule); the collector, the reminder days and the notes
# stay open.
AGREED_FIELDS = frozenset(
    {
        "partner_id",
        "company_id",
        "currency_id",
        "move_line_ids",
        "down_payment_amount",
        "down_payment_date",
        "installment_count",
        "frequency",
        "first_date",
        "penalty_mode",
        "tolerance_days",
        "allow_long_plan",
        "penalty_invoice_id",
        "date_confirmed",
    }
)

# An installment unpaid this many days after its date breaks the plan; a reminder goes this
# many days before it: beyond these, the figures are typos.
MAX_TOLERANCE_DAYS = 90
MAX_REMINDER_DAYS = 30


class AccountDunningInstallmentPlan(models.Model):
    _name = "account.dunning.installment.plan"
    _description = "Installment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_confirmed desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    user_id = fields.Many2one(
        "res.users", string="Collector", default=lambda self: self.env.user, tracking=True, check_company=True
    )
    state = fields.Selection(
        [
            ("draft", "Proposed"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        "account_dunning_plan_move_line_rel",
        "plan_id",
        "move_line_id",
        string="Receivables covered",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('account_type', '=', 'asset_receivable'), "
        "('reconciled', '=', False), ('parent_state', '=', 'posted'), ('amount_residual_currency', '>', 0), "
        "('currency_id', '=', currency_id)]",
    )
    amount_covered = fields.Monetary(
        compute="_compute_amount_covered", string="Amount covered", help="What the covered lines owe today."
    )
    down_payment_amount = fields.Monetary(string="Down payment")
    down_payment_date = fields.Date()
    installment_count = fields.Integer(string="Installments", default=3, required=True)
    frequency = fields.Selection(
        [
            ("weekly", "Every week"),
            ("biweekly", "Every two weeks"),
            ("monthly", "Every month"),
            ("quarterly", "Every quarter"),
            ("custom", "Dates of my choice"),
        ],
        default="monthly",
        required=True,
    )
    first_date = fields.Date(
        string="First installment", default=lambda self: fields.Date.context_today(self) + timedelta(days=7)
    )
    penalty_mode = fields.Selection(
        [
            ("waive", "Waived while the plan is kept"),
            ("freeze", "Frozen at today's amount and added to the plan"),
            ("run", "Left running"),
        ],
        string="Late penalties",
        default="waive",
        required=True,
        help="Waived: no penalty while the customer keeps the plan; if the plan breaks, the law applies in full. "
        "Frozen: the penalties due today are invoiced and paid through the plan, none accrue after. "
        "Left running: penalties accrue as the law says.",
    )
    tolerance_days = fields.Integer(
        string="Tolerance (days)",
        default=7,
        help="An installment still unpaid this many days after its date breaks the plan.",
    )
    reminder_days = fields.Integer(
        string="Remind before (days)",
        default=3,
        help="A short reminder is e-mailed this many days before each installment.",
    )
    allow_long_plan = fields.Boolean(
        string="Longer than 24 months",
        help="A plan over 24 months (the longest grace a court may grant, Code civil 1343-5) needs a dunning manager.",
    )
    line_ids = fields.One2many("account.dunning.installment.plan.line", "plan_id", string="Schedule", copy=False)
    amount_total = fields.Monetary(compute="_compute_progress", string="Plan total")
    amount_paid = fields.Monetary(compute="_compute_progress", string="Paid")
    amount_remaining = fields.Monetary(compute="_compute_progress", string="Remaining")
    next_date = fields.Date(compute="_compute_progress", string="Next installment")
    next_amount = fields.Monetary(compute="_compute_progress", string="Next amount")
    date_confirmed = fields.Date(readonly=True, copy=False)
    date_closed = fields.Date(readonly=True, copy=False)
    penalty_invoice_id = fields.Many2one("account.move", string="Frozen penalties invoice", readonly=True, copy=False)
    note = fields.Html()

    @api.depends("partner_id")
    def _compute_name(self):
        for plan in self:
            plan.name = self.env._(
                "Plan %(number)s - %(partner)s",
                number=plan.id or self.env._("(new)"),
                partner=plan.partner_id.name or "",
            )

    @api.depends("move_line_ids.amount_residual_currency")
    def _compute_amount_covered(self):
        for plan in self:
            plan.amount_covered = plan.currency_id.round(sum(plan.move_line_ids.mapped("amount_residual_currency")))

    @api.depends("line_ids.amount", "line_ids.amount_paid", "line_ids.date_due")
    def _compute_progress(self):
        for plan in self:
            plan.amount_total = plan.currency_id.round(sum(plan.line_ids.mapped("amount")))
            plan.amount_paid = plan.currency_id.round(sum(plan.line_ids.mapped("amount_paid")))
            plan.amount_remaining = plan.currency_id.round(plan.amount_total - plan.amount_paid)
            pending = plan.line_ids.filtered(lambda line: line.state != "paid").sorted("date_due")[:1]
            plan.next_date = pending.date_due
            plan.next_amount = pending.amount - pending.amount_paid if pending else 0.0

    @api.constrains("installment_count", "tolerance_days", "down_payment_amount", "reminder_days")
    def _check_numbers(self):
        for plan in self:
            if plan.installment_count < 1:
                raise ValidationError(self.env._("A plan needs at least one installment."))
            if plan.tolerance_days < 0 or plan.reminder_days < 0 or plan.down_payment_amount < 0:
                raise ValidationError(self.env._("Tolerance, reminder days and down payment cannot be negative."))
            if plan.tolerance_days > MAX_TOLERANCE_DAYS or plan.reminder_days > MAX_REMINDER_DAYS:
                raise ValidationError(
                    self.env._(
                        "The tolerance is at most %(tolerance)s days and the reminder at most %(reminder)s days "
                        "before an installment.",
                        tolerance=MAX_TOLERANCE_DAYS,
                        reminder=MAX_REMINDER_DAYS,
                    )
                )

    @api.constrains("allow_long_plan")
    def _check_long_plan_right(self):
        if any(self.mapped("allow_long_plan")) and not self.env.user.has_group("account_dunning.group_dunning_manager"):
            raise ValidationError(self.env._("Only a dunning manager can allow a plan longer than 24 months."))

    def write(self, vals):
        agreed = AGREED_FIELDS.intersection(vals)
        if agreed and not is_internal(self):
            confirmed = self.filtered(lambda plan: plan.state != "draft")
            if confirmed:
                raise UserError(
                    self.env._(
                        "%(plan)s is confirmed: what the customer agreed to (%(fields)s) can no longer change. "
                        "Reschedule its installments, or cancel it and propose a new plan.",
                        plan=confirmed[0].name,
                        fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in agreed)),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(plan.state != "draft" for plan in self):
            raise UserError(self.env._("Only a proposed plan can be deleted; cancel it instead."))

    # ------------------------------------------------------------------
    # Defaults from where the plan is proposed
    # ------------------------------------------------------------------

    @api.model
    def _overdue_lines(self, partner, company, currency=None):
        AML = self.env["account.move.line"]
        domain = [
            *self.env["account.dunning.receivable"]._owed_domain(company),
            ("partner_id", "=", partner.commercial_partner_id.id),
            ("date_maturity", "<", fields.Date.context_today(self)),
            ("dunning_plan_id", "=", False),
        ]
        if currency:
            domain.append(("currency_id", "=", currency.id))
        lines = AML.search(domain)
        return lines - lines._dunning_insolvency_caught()

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id and not self.move_line_ids:
            lines = self._overdue_lines(self.partner_id, self.company_id, self.currency_id)
            self.move_line_ids = [Command.set(lines.ids)]

    # ------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------

    def action_compute_schedule(self):
        """(Re)build the installments from the amounts and frequency."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("The schedule of a confirmed plan cannot be rebuilt."))
            if not plan.move_line_ids:
                raise UserError(self.env._("Choose the receivables the plan covers."))
            dates = None
            if plan.frequency == "custom":
                dates = [line.date_due for line in plan.line_ids if not line.is_down_payment]
                if not dates:
                    raise UserError(self.env._("Enter the dates of the installments, then compute the amounts."))
            try:
                schedule = build_schedule(
                    plan.amount_covered,
                    plan.installment_count,
                    plan.first_date,
                    frequency="monthly" if plan.frequency == "custom" else plan.frequency,
                    digits=plan.currency_id.decimal_places,
                    down_payment=plan.down_payment_amount,
                    down_payment_date=plan.down_payment_date,
                    dates=dates,
                    # Judged before any date is computed; the 24-month rule itself is checked at
                    # confirmation, so a collector can still prepare a longer plan for a manager.
                    max_months=MAX_MONTHS_EVER,
                    start=fields.Date.context_today(self),
                )
            except PlanTooLong as error:
                raise UserError(plan._too_long_message(error.months)) from error
            except ScheduleError as error:
                raise UserError(self._schedule_error_message(error)) from error
            has_down_payment = bool(plan.down_payment_amount)
            plan.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "sequence": index,
                        "date_due": day,
                        "amount": float(amount),
                        "is_down_payment": has_down_payment and index == 0,
                    }
                )
                for index, (day, amount) in enumerate(schedule)
            ]
        return True

    def _too_long_message(self, months):
        if self.allow_long_plan:
            return self.env._(
                "This plan runs over %(months)s months: no plan may run over %(max)s months, even with a dunning "
                "manager's approval. Fewer, larger installments, or a hand-off, fit better.",
                months=months,
                max=MAX_MONTHS_EVER,
            )
        return self.env._(
            "This plan runs over %(months)s months: over 24 months, a dunning manager must allow it.", months=months
        )

    def _schedule_error_message(self, error):
        messages = {
            "A plan needs at least one installment.": self.env._("A plan needs at least one installment."),
            "There is nothing to schedule.": self.env._(
                "The receivables covered owe nothing: there is nothing to schedule."
            ),
            "The down payment must be positive and less than the total.": self.env._(
                "The down payment must be positive and less than the amount covered."
            ),
        }
        return messages.get(str(error), str(error))

    def _dunning_penalties_unwaivable(self):
        """Whether the customer's regime forbids waiving its penalties (L2192-14)."""
        self.ensure_one()
        policy = self.partner_id.commercial_partner_id.sudo()._dunning_policy(self.company_id)
        return policy.penalty_regime in UNWAIVABLE_REGIMES

    def _check_schedule(self):
        """What a plan must satisfy to be confirmed; raises with a clear message."""
        today = fields.Date.context_today(self)
        for plan in self:
            if not plan.line_ids:
                raise ValidationError(self.env._("Compute the schedule before confirming the plan."))
            if plan.currency_id.compare_amounts(plan.amount_total, plan.amount_covered):
                raise ValidationError(
                    self.env._(
                        "The installments add up to %(total)s but the receivables covered owe %(covered)s: "
                        "they must be equal.",
                        total=format_amount(self.env, plan.amount_total, plan.currency_id),
                        covered=format_amount(self.env, plan.amount_covered, plan.currency_id),
                    )
                )
            caught = plan.move_line_ids._dunning_insolvency_caught()
            if caught:
                raise ValidationError(
                    self.env._(
                        "%(invoice)s was born before the opening of insolvency proceedings against %(customer)s: it "
                        "can only be declared to the court-appointed representative, not paid through a plan "
                        "(Code de commerce L622-7).",
                        invoice=caught[0].move_id.name,
                        customer=plan.partner_id.display_name,
                    )
                )
            if plan.penalty_mode != "run" and plan._dunning_penalties_unwaivable():
                raise ValidationError(
                    self.env._(
                        "%(customer)s is a French public buyer: late-payment interest and the recovery indemnity "
                        "are owed by law and cannot be waived or frozen (Code de la commande publique L2192-14). "
                        "Leave the penalties running.",
                        customer=plan.partner_id.display_name,
                    )
                )
            if any(line.amount <= 0 for line in plan.line_ids):
                raise ValidationError(self.env._("Every installment must be a positive amount."))
            if min(plan.line_ids.mapped("date_due")) < today:
                raise ValidationError(self.env._("An installment is dated in the past: move it to today or later."))
            months = span_in_months(today, max(plan.line_ids.mapped("date_due")))
            if months > (MAX_MONTHS_EVER if plan.allow_long_plan else MAX_MONTHS_WITHOUT_MANAGER):
                raise ValidationError(plan._too_long_message(months))
            others = plan.move_line_ids.filtered(
                lambda line, plan=plan: line.dunning_plan_id and line.dunning_plan_id != plan
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is already covered by %(plan)s.",
                        invoice=others[0].move_id.name,
                        plan=others[0].dunning_plan_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def action_confirm(self):
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a proposed plan can be confirmed."))
            if plan.penalty_mode == "freeze":
                plan._invoice_frozen_penalties()
            plan._check_schedule()
            plan.move_line_ids.write({"dunning_plan_id": plan.id})
            plan.write({"state": "active", "date_confirmed": fields.Date.context_today(self)})
            self.env["account.dunning.case"]._on_event(plan.partner_id, plan.company_id, "plan")
            plan.message_post(body=self.env._("Plan confirmed: %(count)s installment(s).", count=len(plan.line_ids)))
            for invoice in plan.move_line_ids.move_id:
                invoice._message_log(
                    body=Markup("%s") % self.env._("Covered by installment plan %(plan)s.", plan=plan.name)
                )
        return True

    def _invoice_frozen_penalties(self):
        """Freeze: the penalties due today are invoiced now and paid through the plan."""
        self.ensure_one()
        invoices = self.move_line_ids.move_id
        results = invoices._compute_late_penalties()
        if not any(result.interest or result.indemnity for result in results.values()):
            return
        if not self.env.user.has_group("account_dunning.group_dunning_manager"):
            raise UserError(
                self.env._(
                    "Freezing the penalties invoices them now: only a dunning manager can confirm this plan. "
                    "Waive the penalties or leave them running to confirm it yourself."
                )
            )
        wizard = self.env["account.dunning.penalty.invoice"].create(
            {"company_id": self.company_id.id, "move_ids": [Command.set(invoices.ids)], "post": True}
        )
        penalty_invoice = wizard._create_penalty_invoices()
        penalty_invoice.action_post()
        self.penalty_invoice_id = penalty_invoice[:1]
        receivable = penalty_invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.move_line_ids = [Command.link(line.id) for line in receivable]
        self.action_compute_schedule()

    def action_cancel(self):
        for plan in self:
            if plan.state not in ("draft", "active"):
                raise UserError(self.env._("Only a proposed or active plan can be cancelled."))
            plan._release_lines()
            plan.write({"state": "cancelled", "date_closed": fields.Date.context_today(self)})
        return True

    def _release_lines(self):
        self.move_line_ids.filtered(lambda line: line.dunning_plan_id in self).write({"dunning_plan_id": False})

    def _break(self, late_line):
        """An installment stayed unpaid past the tolerance: dunning and penalties resume."""
        self.ensure_one()
        self._release_lines()
        self.write({"state": "broken", "date_closed": fields.Date.context_today(self)})
        self.env["account.dunning.case"]._on_event(self.partner_id, self.company_id, "reminded", only_from=("plan",))
        body = self.env._(
            "Plan broken: the installment of %(date)s (%(amount)s) is still unpaid after %(days)s days of tolerance. "
            "Reminders resume where they stopped.",
            date=format_date(self.env, late_line.date_due),
            amount=format_amount(self.env, late_line.amount - late_line.amount_paid, self.currency_id),
            days=self.tolerance_days,
        )
        self.message_post(body=body)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Installment plan broken: call %(partner)s", partner=self.partner_id.name),
            note=body,
            user_id=(self.user_id or self.company_id._dunning_fallback_user()).id,
        )

    def _complete(self):
        self._release_lines()
        self.write({"state": "completed", "date_closed": fields.Date.context_today(self)})
        for plan in self:
            plan.message_post(body=self.env._("Plan completed: everything has been paid. Thank you."))

    def _follow(self):
        """Complete, remind before the next installment, or break: the daily follow-up."""
        today = fields.Date.context_today(self)
        for plan in self.filtered(lambda plan: plan.state == "active"):
            if plan.currency_id.is_zero(plan.amount_covered) or not plan.move_line_ids.filtered(
                lambda line: not line.reconciled
            ):
                plan._complete()
                continue
            pending = plan.line_ids.filtered(lambda line: line.state != "paid").sorted("date_due")
            late = pending.filtered(lambda line, plan=plan: line.date_due + timedelta(days=plan.tolerance_days) < today)
            if late:
                plan._break(late[0])
                continue
            upcoming = pending.filtered(
                lambda line, plan=plan: (
                    not line.reminded and line.date_due - timedelta(days=plan.reminder_days) <= today
                )
            )[:1]
            if upcoming:
                plan._send_installment_reminder(upcoming)

    # ------------------------------------------------------------------
    # The installments of a confirmed plan: what the customer agreed to
    # ------------------------------------------------------------------

    def _check_installments_editable(self):
        confirmed = self.filtered(lambda plan: plan.state != "draft")
        if confirmed:
            raise UserError(
                self.env._(
                    "%(plan)s is confirmed: its installments are what the customer agreed to. Change their dates or "
                    "amounts with Reschedule, which records the change in the plan's history.",
                    plan=confirmed[0].name,
                )
            )

    def action_reschedule(self):
        """Open the Reschedule wizard: new dates or amounts for the installments still to pay."""
        self.ensure_one()
        self._check_can_reschedule()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reschedule"),
            "res_model": "account.dunning.installment.reschedule",
            "view_mode": "form",
            "target": "new",
            "context": {"default_plan_id": self.id},
        }

    def _check_can_reschedule(self):
        for plan in self:
            if plan.state != "active":
                raise UserError(self.env._("Only an active plan can be rescheduled."))

    def _amend_installments(self, changes):
        """Reschedule: ``changes`` maps installments of this active plan to their new
        ``date_due`` and/or ``amount``. The customer must still owe the same total, a paid
        installment stays as it is, a new date is today or later, and the plan keeps within its
        length limit. The plan's history records each change, old to new. Refuses everything
        and changes nothing when one rule is broken."""
        self.ensure_one()
        self._check_can_reschedule()
        today = fields.Date.context_today(self)
        currency = self.currency_id
        new_values = {}
        for line, vals in changes.items():
            if line.plan_id != self:
                raise UserError(
                    self.env._("Only the installments of %(plan)s can be rescheduled here.", plan=self.name)
                )
            date_due = fields.Date.to_date(vals.get("date_due", line.date_due))
            amount = currency.round(vals.get("amount", line.amount))
            if date_due == line.date_due and not currency.compare_amounts(amount, line.amount):
                continue
            if line.state == "paid":
                raise UserError(
                    self.env._(
                        "The installment of %(date)s is paid: it stays as it is.",
                        date=fields.Date.to_string(line.date_due),
                    )
                )
            if currency.compare_amounts(amount, 0) <= 0:
                raise UserError(self.env._("Every installment must be a positive amount."))
            if date_due != line.date_due and date_due < today:
                raise UserError(self.env._("An installment is dated in the past: move it to today or later."))
            new_values[line] = {"date_due": date_due, "amount": amount}
        if not new_values:
            raise UserError(self.env._("Nothing to reschedule: no date or amount was changed."))
        amounts = {line: new_values.get(line, {}).get("amount", line.amount) for line in self.line_ids}
        total_before = currency.round(sum(self.line_ids.mapped("amount")))
        total_after = currency.round(sum(amounts.values()))
        if currency.compare_amounts(total_before, total_after):
            raise UserError(
                self.env._(
                    "The installments would add up to %(after)s instead of %(before)s: the customer still owes the "
                    "same total, so move amounts between installments.",
                    after=formatLang(self.env, total_after, currency_obj=currency),
                    before=formatLang(self.env, total_before, currency_obj=currency),
                )
            )
        last_date = max(new_values.get(line, {}).get("date_due", line.date_due) for line in self.line_ids)
        months = span_in_months(self.date_confirmed or today, last_date)
        if months > (MAX_MONTHS_EVER if self.allow_long_plan else MAX_MONTHS_WITHOUT_MANAGER):
            raise UserError(self._too_long_message(months))
        items = []
        for line, vals in sorted(new_values.items(), key=lambda item: (item[0].date_due, item[0].sequence)):
            items.append(
                Markup("<li>%s</li>")
                % self.env._(
                    "Installment of %(old_date)s, %(old_amount)s: now %(new_date)s, %(new_amount)s",
                    old_date=fields.Date.to_string(line.date_due),
                    old_amount=formatLang(self.env, line.amount, currency_obj=currency),
                    new_date=fields.Date.to_string(vals["date_due"]),
                    new_amount=formatLang(self.env, vals["amount"], currency_obj=currency),
                )
            )
            # A new date calls for a new reminder before it.
            if vals["date_due"] != line.date_due:
                vals["reminded"] = False
            internal(line).write(vals)
        self.message_post(body=Markup("%s<ul>%s</ul>") % (self.env._("Rescheduled:"), Markup().join(items)))
        return True

    def _send_installment_reminder(self, line):
        recipient = self.partner_id.address_get(["invoice"])["invoice"]
        partner = self.env["res.partner"].browse(recipient)
        if partner.email:
            # The template states the next installment, which is this one.
            self.message_post_with_source(
                "account_dunning.mail_template_installment_reminder",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        line.reminded = True

    @api.model
    def _cron_follow_plans(self):
        self.search([("state", "=", "active")])._follow()
        return True

    def action_print_agreement(self):
        return self.env.ref("account_dunning.action_report_installment_plan").report_action(self)

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_line_ids.move_id.ids)]
        action["context"] = {}
        return action
