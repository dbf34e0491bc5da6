from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..law import be_consumer, regimes
from .account_dunning_level import CHANNELS
from .penalty_tools import to_decimal
from .record_lock import internal, is_internal

SENDABLE_STATES = ("draft", "to_send", "failed")

# What may still change on a sent letter, which is otherwise a record of what the customer
# received (like a posted entry): the chatter and activities (their fields come from the mail
# mixins, added in ``_fields_writable_when_sent``), the collector who follows it up (internal,
# never printed), whether a printed letter was printed, and the customer's portal key (a
# ``portal.mixin`` token, renewed without changing what was sent). An addon recording more
# facts after sending (a posting date, a penalty invoice) adds its fields here.
WRITABLE_WHEN_SENT = frozenset({"user_id", "is_printed", "access_token"})


class AccountDunningLetter(models.Model):
    _name = "account.dunning.letter"
    _description = "Dunning Letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["partner_id.name", "level_id.name"]

    name = fields.Char(string="Reference", compute="_compute_name")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True), ('parent_id', '=', False)]",
        help="The customer (commercial entity) reminded by this letter.",
    )
    recipient_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        compute="_compute_partner_values",
        store=True,
        readonly=False,
        precompute=True,
        help="The customer's invoicing address: where the e-mail or letter goes.",
    )
    lang = fields.Selection(related="recipient_id.lang", string="Language")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True, tracking=True)
    run_id = fields.Many2one("account.dunning.run", index="btree_not_null", readonly=True)
    level_id = fields.Many2one("account.dunning.level", required=True, index=True, tracking=True, check_company=True)
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    # The level's channel by default; changing it on a letter must not change the level.
    channel = fields.Selection(
        CHANNELS,
        compute="_compute_channel",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    is_formal_notice = fields.Boolean(related="level_id.is_formal_notice")
    apply_penalties = fields.Boolean(related="level_id.apply_penalties")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_send", "To send"),
            ("sent", "Sent"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    auto_send = fields.Boolean(readonly=True, copy=False, help="The daily run sends this letter without review.")
    send_queued = fields.Boolean(
        string="In the sending queue",
        readonly=True,
        copy=False,
        help="Waits to be sent by the sending queue (account.dunning.send.queue).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_partner_values",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    line_ids = fields.One2many("account.dunning.letter.line", "letter_id", string="Late items", copy=True)
    line_count = fields.Integer(compute="_compute_amounts", store=True)
    amount_due = fields.Monetary(compute="_compute_amounts", store=True, string="Amount due")
    credit_amount = fields.Monetary(
        string="Unapplied credits",
        readonly=True,
        help="Open credit notes and payments not yet matched to an invoice, in this currency. "
        "They reduce what the customer has to pay.",
    )
    amount_net = fields.Monetary(compute="_compute_amounts", store=True, string="Net amount due")
    interest_amount = fields.Monetary(compute="_compute_amounts", store=True, string="Interest")
    indemnity_amount = fields.Monetary(compute="_compute_amounts", store=True, string="Indemnities")
    fee_amount = fields.Monetary(
        string="Reminder fee",
        readonly=True,
        copy=False,
        help="The fee this reminder carries, as its level sets it and the customer's law allows it (none for "
        "consumers, except Belgian recurring contracts from the fourth reminder of a year).",
    )
    penalty_error = fields.Char(readonly=True, copy=False, help="Why penalties could not be computed.")
    sent_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    is_printed = fields.Boolean(string="Printed", readonly=True, copy=False)
    posted_date = fields.Date(
        string="Posted on",
        readonly=True,
        copy=False,
        tracking=True,
        help="A printed letter is only queued for printing when it is sent: it reaches the customer, "
        "starts the formal notice and the Belgian consumer's 14 days once someone marks it posted.",
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    mail_message_id = fields.Many2one("mail.message", readonly=True, copy=False, index="btree_not_null")
    pdf_attachment_id = fields.Many2one("ir.attachment", string="Letter PDF", readonly=True, copy=False)

    _send_queue_idx = models.Index("(id) WHERE state = 'to_send' AND send_queued")
    _one_per_day = models.UniqueIndex(
        "(partner_id, company_id, currency_id, date) WHERE state != 'cancelled'",
        "A customer receives at most one letter per currency and day.",
    )

    def _compute_name(self):
        for letter in self:
            letter.name = f"{letter.date.year}/{letter.id:06d}" if letter.id and letter.date else self.env._("New")

    @api.depends("level_id")
    def _compute_channel(self):
        for letter in self:
            letter.channel = letter.level_id.channel

    @api.depends("partner_id")
    def _compute_partner_values(self):
        for letter in self:
            if letter.partner_id:
                letter.update(letter._partner_values(letter.partner_id))
            else:
                letter.update({"recipient_id": False, "user_id": False})

    @api.model
    def _partner_values(self, partner):
        """Addressee (the invoicing address) and collector of a letter to ``partner``; the
        daily run passes them at creation, the form computes them."""
        return {
            "recipient_id": partner.address_get(["invoice"])["invoice"],
            "user_id": (partner.dunning_responsible_id or partner.user_id).id,
        }

    @api.model_create_multi
    def create(self, vals_list):
        # The daily run and a collector make letters to review or to send; any other state
        # is reached by the letter's own actions.
        if not is_internal(self) and any(vals.get("state", "draft") not in ("draft", "to_send") for vals in vals_list):
            raise UserError(
                self.env._("A letter is created as a draft or ready to send: its other states come from its actions.")
            )
        # Letters made by hand carry the fee of their level as the daily run's do.
        missing = [vals for vals in vals_list if "fee_amount" not in vals and vals.get("level_id")]
        if missing:
            company = self.env.company
            fees = self._reminder_fees(
                company,
                [
                    (
                        vals["partner_id"],
                        self.env["account.dunning.level"].browse(vals["level_id"]),
                        self.env["res.currency"].browse(vals.get("currency_id") or company.currency_id.id),
                        fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self),
                    )
                    for vals in missing
                ],
            )
            for vals, fee in zip(missing, fees, strict=True):
                vals["fee_amount"] = fee
        return super().create(vals_list)

    @api.model
    def _reminder_fees(self, company, letters):
        """The fee each letter ``(partner id, level, currency, date)`` carries: its level's fee and,
        for a printed letter only, its postage, as the customer's law allows them. French
        consumers never pay one (CPCE L111-8); Belgian consumers only under a recurring contract,
        from the fourth reminder of the calendar year, at most EUR 7.50 plus postage (Book XIX).
        Earlier letters of the year are counted in one query for the batch."""
        charged = [index for index, (_partner, level, _currency, _day) in enumerate(letters) if level.fee_amount]
        fees = [0.0] * len(letters)
        if not charged:
            return fees
        partner_ids = {letters[index][0] for index in charged}
        first_day = min(letters[index][3] for index in charged).replace(month=1, day=1)
        earlier = self.sudo()._read_group(
            [
                ("partner_id", "in", list(partner_ids)),
                ("company_id", "=", company.id),
                ("state", "not in", ("cancelled", "failed")),
                ("date", ">=", first_day),
            ],
            ["partner_id", "date:day"],
            ["__count"],
        )
        for index in charged:
            partner_id, level, currency, day = letters[index]
            policy = level.policy_id
            regime = policy.penalty_regime or "none"
            # Postage is a cost of posting: an e-mailed reminder carries none (Book XIX: "plus postage").
            amount = to_decimal(level.fee_amount)
            postage = to_decimal(level.fee_postage if level.channel == "letter" else 0.0)
            if regime == "be_b2c":
                before = sum(
                    count
                    for partner, letter_day, count in earlier
                    if partner.id == partner_id and letter_day.year == day.year and letter_day < day
                )
                fee = be_consumer.reminder_fee(amount, postage, before, policy.recurring_contract)
            elif regimes.REGIMES.get(regime) and regimes.REGIMES[regime].allows_fees:
                fee = amount + postage
            else:
                continue
            fees[index] = level.currency_id._convert(float(fee), currency, company, day) if fee else 0.0
        return fees

    @api.depends("line_ids.amount_due", "line_ids.interest_amount", "line_ids.indemnity_amount", "credit_amount")
    def _compute_amounts(self):
        # Saved letters are summed in one query (the daily run makes thousands at once);
        # a letter being edited is summed from its lines in memory.
        saved = self.filtered("id")
        sums = {
            letter.id: (count, due, interest, indemnity)
            for letter, count, due, interest, indemnity in self.env["account.dunning.letter.line"]._read_group(
                [("letter_id", "in", saved.ids)],
                ["letter_id"],
                ["__count", "amount_due:sum", "interest_amount:sum", "indemnity_amount:sum"],
            )
        }
        for letter in self:
            if letter in saved:
                count, due, interest, indemnity = sums.get(letter.id, (0, 0.0, 0.0, 0.0))
            else:
                lines = letter.line_ids
                count = len(lines)
                due = sum(lines.mapped("amount_due"))
                interest = sum(lines.mapped("interest_amount"))
                indemnity = sum(lines.mapped("indemnity_amount"))
            letter.update(
                self._amount_values(letter.currency_id, count, due, interest, indemnity, letter.credit_amount)
            )

    @api.model
    def _amount_values(self, currency, count, due, interest, indemnity, credit):
        """A letter's totals from the sums of its lines: shared by the compute and by the daily
        run, which writes letters in bulk."""
        amount_due = currency.round(due)
        return {
            "line_count": count,
            "amount_due": amount_due,
            "interest_amount": currency.round(interest),
            "indemnity_amount": currency.round(indemnity),
            "amount_net": currency.round(max(amount_due - credit, 0.0)),
        }

    def _compute_display_name(self):
        for letter in self:
            letter.display_name = f"{letter.name} - {letter.partner_id.name or ''} ({letter.level_id.name or ''})"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(letter.state == "sent" for letter in self):
            raise UserError(self.env._("A sent letter is part of the customer's history and cannot be deleted."))

    # ------------------------------------------------------------------
    # What was sent stays as sent
    # ------------------------------------------------------------------

    @api.model
    def _fields_writable_when_sent(self):
        mail_fields = set(self.env["mail.thread"]._fields) | set(self.env["mail.activity.mixin"]._fields)
        return (mail_fields - set(self.env["base"]._fields)) | WRITABLE_WHEN_SENT

    def write(self, vals):
        if not is_internal(self):
            self._check_write_allowed(vals)
        return super().write(vals)

    def _check_write_allowed(self, vals):
        if "state" in vals:
            raise UserError(
                self.env._(
                    "The state of a letter changes only through its actions (Ready to send, Send, Cancel, Reset to "
                    "draft), never by editing it."
                )
            )
        frozen = set(vals) - self._fields_writable_when_sent()
        sent = self.filtered(lambda letter: letter.state == "sent")
        if frozen and sent:
            raise UserError(
                self.env._(
                    "Letter %(letter)s was sent: it records what the customer received, so %(fields)s can no "
                    "longer change.",
                    letter=sent[0].display_name,
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in frozen)),
                )
            )

    def _check_lines_editable(self):
        sent = self.filtered(lambda letter: letter.state == "sent")
        if sent:
            raise UserError(
                self.env._(
                    "Letter %(letter)s was sent: its lines record what the customer received and can no longer change.",
                    letter=sent[0].display_name,
                )
            )

    def _dunning_mark_sent(self):
        """The letters went out: record it (the only way a letter becomes sent)."""
        internal(self).write({"state": "sent", "sent_date": fields.Datetime.now(), "failure_reason": False})

    # ------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------

    @api.model
    def _unapplied_credits(self, partner_ids, company_ids):
        """Open credit notes and payments per (partner, company, currency), in one query."""
        rows = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "in", partner_ids),
                ("company_id", "in", company_ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual_currency", "<", 0),
            ],
            ["partner_id", "company_id", "currency_id"],
            ["amount_residual_currency:sum"],
        )
        return {(partner.id, company.id, currency.id): -amount for partner, company, currency, amount in rows}

    def _refresh_credit_amounts(self):
        """Unapplied credits per letter, in one query for all letters."""
        if not self:
            return
        credits = self._unapplied_credits(self.partner_id.ids, self.company_id.ids)
        for letter in self:
            key = (letter.partner_id.id, letter.company_id.id, letter.currency_id.id)
            letter.credit_amount = letter.currency_id.round(credits.get(key, 0.0))

    @api.model
    def _penalties_by_line(self, results):
        """``account.move._compute_late_penalties`` results indexed by receivable line id."""
        return {line.id: penalty for result in results.values() for line, penalty in result.lines}

    @api.model
    def _line_penalties(self, results, by_line, items):
        """Interest and indemnity of a letter's lines, given as (move line id, invoice id): the
        indemnity counts once per invoice, on its first line. Returns the (interest,
        indemnity) list and the missing-rate errors met."""
        amounts, errors, indemnity_done = [], [], set()
        for move_line_id, move_id in items:
            result = results.get(move_id)
            if result and result.error:
                errors.append(result.error)
            indemnity = 0.0
            if result and move_id not in indemnity_done:
                indemnity = result.indemnity
                indemnity_done.add(move_id)
            penalty = by_line.get(move_line_id)
            amounts.append((penalty.interest if penalty else 0.0, indemnity))
        return amounts, errors

    def _refresh_penalties(self, on_date=None):
        """Interest and indemnity of each line of the letters that state penalties, on the
        letter's date (or ``on_date``). Returns the missing-rate errors met."""
        letters = self.filtered("apply_penalties")
        all_errors = []
        for day, group in letters.grouped("date").items():
            results = group.line_ids.move_id._compute_late_penalties(on_date or day)
            by_line = self._penalties_by_line(results)
            for letter in group:
                lines = letter.line_ids
                amounts, errors = self._line_penalties(
                    results, by_line, [(line.move_line_id.id, line.move_id.id) for line in lines]
                )
                letter.penalty_error = (
                    self.env["account.move"]._dunning_rate_error_message(errors[-1]) if errors else False
                )
                all_errors += errors
                for line, (interest, indemnity) in zip(lines, amounts, strict=True):
                    line.write({"interest_amount": interest, "indemnity_amount": indemnity})
        return all_errors

    def _recheck_lines(self):
        """Drop the lines paid, disputed or frozen since the letter was made, refresh what is
        still due, and cancel the letters left empty. Returns the letters still worth sending."""
        lines = self.line_ids
        still_due = self.env["account.dunning.receivable"]._still_due(lines.move_line_id)
        gone = lines.filtered(lambda line: line.move_line_id not in still_due)
        for letter, removed in gone.grouped("letter_id").items():
            letter._message_log(
                body=Markup("%s<ul>%s</ul>")
                % (
                    self.env._("Removed from the letter before sending (paid, disputed or frozen since):"),
                    Markup().join(Markup("<li>%s</li>") % line.move_id.name for line in removed),
                )
            )
        gone.unlink()
        for line in lines - gone:
            residual = line.move_line_id.amount_residual_currency
            if line.currency_id.compare_amounts(line.amount_due, residual):
                line.amount_due = residual
        self._refresh_credit_amounts()
        self._refresh_penalties(self.env.context.get("dunning_send_date") or fields.Date.context_today(self))
        empty = self.filtered(lambda letter: not letter.line_ids)
        if empty:
            internal(empty).write({"state": "cancelled"})
            empty._message_log_batch(
                bodies=dict.fromkeys(empty.ids, self.env._("Cancelled before sending: nothing is due any more."))
            )
        return self - empty

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_confirm(self):
        """A reviewed draft is ready to go."""
        drafts = self.filtered(lambda letter: letter.state == "draft")
        internal(drafts).write({"state": "to_send"})

    def action_cancel(self):
        if any(letter.state == "sent" for letter in self):
            raise UserError(self.env._("A sent letter cannot be cancelled."))
        internal(self).write({"state": "cancelled"})

    def action_reset_to_draft(self):
        internal(self.filtered(lambda letter: letter.state in ("cancelled", "failed"))).write(
            {"state": "draft", "failure_reason": False}
        )

    def action_send(self):
        """Send (e-mail), queue for posting (letter) or hand to a collector (phone) each letter,
        after re-checking every line, through the sender of its channel
        (``account.dunning.channel.<channel>``). A failure marks that letter 'failed' and the
        others go on."""
        not_sendable = self.filtered(lambda letter: letter.state not in SENDABLE_STATES)
        if not_sendable:
            raise UserError(
                self.env._(
                    "Letter %(letter)s is %(state)s: only draft, to-send or failed letters can be sent.",
                    letter=not_sendable[0].display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[not_sendable[0].state],
                )
            )
        self._check_penalty_invoicing_right()
        letters = self._recheck_lines()
        # Never send a letter stating penalties with figures the law does not support.
        for letter in letters.filtered("penalty_error"):
            letter._mark_failed(letter.penalty_error)
        letters = letters.filtered(lambda letter: not letter.penalty_error)
        sent = self.browse()
        Channel = self.env["account.dunning.channel"]
        for channel, group in letters.grouped("channel").items():
            sent |= Channel._of(channel)._send(group)
        sent._dunning_mark_sent()
        sent._after_send()
        return True

    def _check_penalty_invoicing_right(self):
        """Sending a letter of a level that invoices penalties posts a penalty invoice: like
        the penalty wizard, that is for dunning managers (and the daily run)."""
        if self.env.su or self.env.user.has_group("account_dunning.group_dunning_manager"):
            return
        invoicing = self.filtered(lambda letter: letter.level_id.invoice_penalties)
        if invoicing:
            raise UserError(
                self.env._(
                    "Letters of level %(level)s also invoice the late-payment penalties: a dunning manager sends them.",
                    level=invoicing[0].level_id.display_name,
                )
            )

    def action_retry(self):
        return self.filtered(lambda letter: letter.state == "failed").action_send()

    @api.model
    def _release_held_letters(self):
        """Letters the sending queue held because a reference rate was missing (failed with a
        penalty error) go back to the queue once every rate they need is known: the run queued
        them, so they leave as it meant them to, without a manager's *Retry*. Letters a
        collector sent by hand stay failed for the collector. Returns the letters released."""
        held = self.sudo().search(
            [("state", "=", "failed"), ("send_queued", "=", True), ("penalty_error", "!=", False)]
        )
        if not held:
            return held
        # The letters' figures on their own dates: what the law now gives, or still an error.
        held._refresh_penalties()
        ready = held.filtered(lambda letter: not letter.penalty_error)
        if ready:
            internal(ready).write({"state": "to_send", "failure_reason": False})
            for letter in ready:
                letter._message_log(
                    body=self.env._("The reference rate this letter waited for is known: it is back in the queue.")
                )
            self.env["account.dunning.send.queue"]._trigger()
        return ready

    def action_preview(self):
        self.ensure_one()
        return (self.level_id.report_id or self.env.ref("account_dunning.action_report_dunning_letter")).report_action(
            self
        )

    def action_print_letters(self):
        """One merged PDF of the selected printed-letter channel letters, marked as printed."""
        letters = self.filtered(lambda letter: letter.channel == "letter" and letter.state == "sent")
        if not letters:
            raise UserError(self.env._("Select sent letters of the 'Printed letter' channel to print them."))
        letters.write({"is_printed": True})
        return self.env.ref("account_dunning.action_report_dunning_letter").report_action(letters)

    def _mark_posted(self, posted_date):
        """Printed letters put in the post on ``posted_date``: from that day they count as a
        reminder the customer received (the Belgian consumer's 14 days start after it) and a
        formal notice puts the customer on notice."""
        if any(letter.channel != "letter" or letter.state != "sent" or letter.posted_date for letter in self):
            raise UserError(self.env._("Only sent printed letters not yet marked posted can be marked posted."))
        if posted_date > fields.Date.context_today(self) or any(
            letter.sent_date and posted_date < fields.Datetime.context_timestamp(self, letter.sent_date).date()
            for letter in self
        ):
            raise UserError(self.env._("A letter is posted on a day between its sending (printing queue) and today."))
        # The posting day is part of what was sent: set once, by this action only.
        internal(self).write({"posted_date": posted_date})
        for line in self.line_ids:
            if line.level_id.is_formal_notice and not line.move_line_id.dunning_formal_notice_date:
                line.move_line_id.dunning_formal_notice_date = posted_date
        for letter in self:
            letter._message_log(body=self.env._("Letter posted on %(date)s.", date=posted_date))

    # ------------------------------------------------------------------
    # After sending: what the lines, invoices, customer and case record
    # ------------------------------------------------------------------

    def _activity_user(self):
        self.ensure_one()
        if self.user_id:
            return self.user_id
        if not self.env.user._is_superuser():
            return self.env.user
        return self.company_id._dunning_fallback_user()

    def _after_send(self):
        """Record on the lines, the invoices and the customer what was sent."""
        if not self:
            return
        # A run sends on its own date (it may replay past days); a collector sends today.
        today = self.env.context.get("dunning_send_date") or fields.Date.context_today(self)
        # The values of each journal item, then one write per distinct values for all the
        # letters: each write on journal items runs the accounting checks of their entries,
        # per call, not per line. Those checks read the taxes of every item of the entries,
        # entry by entry: read them once.
        self.line_ids.move_line_id.move_id.line_ids.mapped("tax_ids")

        def effect(line):
            reached = line.move_line_id.dunning_level_id
            return (
                # An older letter sent after a newer one (a collector sending what waited)
                # never takes a line back to a lower level.
                line.level_id if not reached or reached.delay_days <= line.level_id.delay_days else None,
                # A printed letter puts on notice once posted (_mark_posted), not when queued.
                line.level_id.is_formal_notice
                and line.letter_id.channel != "letter"
                and not line.move_line_id.dunning_formal_notice_date,
            )

        for (level, first_notice), lines in self.line_ids.grouped(effect).items():
            vals = {"dunning_last_date": today}
            if level:
                vals["dunning_level_id"] = level.id
            if first_notice:
                vals["dunning_formal_notice_date"] = today
            lines.move_line_id.write(vals)
        for letter in self:
            if letter.level_id.propose_handoff:
                letter.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._(
                        "Consider handing %(partner)s over to a collection agency", partner=letter.partner_id.name
                    ),
                    user_id=letter._activity_user().id,
                )
        self.filtered(lambda letter: letter.level_id.invoice_penalties)._invoice_penalties(today)
        Case = self.env["account.dunning.case"]
        for company in self.company_id:
            mine = self.filtered(lambda letter, company=company: letter.company_id == company)
            notices = mine.filtered("is_formal_notice")
            Case._on_event(notices.partner_id, company, "formal_notice", only_from=(False, "to_remind", "reminded"))
            Case._on_event((mine - notices).partner_id, company, "reminded", only_from=(False, "to_remind"))
        invoice_notes = {}
        for line in self.line_ids:
            invoice_notes.setdefault(line.move_id.id, []).append(line)
        self.env["account.move"].browse(list(invoice_notes))._message_log_batch(
            bodies={
                move_id: Markup("%s")
                % self.env._(
                    "Reminder sent: %(level)s (letter %(letter)s).",
                    level=lines[0].level_id.name,
                    letter=lines[0].letter_id.name,
                )
                for move_id, lines in invoice_notes.items()
            }
        )
        self.partner_id._message_log_batch(
            bodies={
                letter.partner_id.id: Markup("%s")
                % self.env._(
                    "Dunning letter %(letter)s sent: %(level)s, %(count)s item(s).",
                    letter=letter.name,
                    level=letter.level_id.name,
                    count=letter.line_count,
                )
                for letter in self
            }
        )

    def _invoice_penalties(self, on_date):
        """Levels that invoice penalties: one posted penalty invoice per letter's customer."""
        for letter in self:
            wizard = self.env["account.dunning.penalty.invoice"].create(
                {
                    "company_id": letter.company_id.id,
                    "move_ids": [Command.set(letter.line_ids.move_id.ids)],
                    "date": on_date,
                    "post": True,
                }
            )
            try:
                with self.env.cr.savepoint():
                    invoices = wizard._create_penalty_invoices()
                    invoices.action_post()
            except UserError as error:
                letter._message_log(body=self.env._("Penalties not invoiced: %(reason)s", reason=str(error)))
                continue
            letter._message_log(
                body=self.env._("Penalty invoice %(invoices)s created.", invoices=", ".join(invoices.mapped("name")))
            )

    def _mark_failed(self, reason):
        internal(self).write({"state": "failed", "failure_reason": reason})
        for letter in self:
            letter._message_log(body=self.env._("Sending failed: %(reason)s", reason=reason))
