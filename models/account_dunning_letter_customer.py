import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from odoo.addons.account.tools import is_valid_structured_reference

# Regimes under which the customer is a consumer: never a recovery indemnity on the letter
# (France: Code des procédures civiles d'exécution L111-8; Belgium: damages only within
# Book XIX, stated as such by the policy's levels).
CONSUMER_LETTER_REGIMES = ("fr_b2c", "be_b2c")


class AccountDunningLetter(models.Model):
    """What the customer reads: the claim (principal, interest with its basis, indemnity),
    the formal notice's legal wording and deadline. Kept apart from the letter's life cycle
    (account_dunning_letter.py) so that the two can change independently."""

    _name = "account.dunning.letter"
    _inherit = ["account.dunning.letter", "portal.mixin"]

    payment_deadline = fields.Date(
        string="Pay by",
        compute="_compute_payment_deadline",
        help="The one date by which the customer is asked to pay: the letter's date plus the level's days to pay.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The secure link exists from the start (the daily run's bulk INSERT draws one too):
        # printing or e-mailing a sent letter never has to write on it.
        letters = super().create(vals_list)
        for letter in letters.filtered(lambda letter: not letter.access_token):
            letter.access_token = str(uuid.uuid4())
        return letters

    def _compute_display_name(self):
        if self.env.su or self.env.user._is_internal():
            return super()._compute_display_name()
        # Portal customers read their own letters, not the policies' levels.
        for letter, letter_sudo in zip(self, self.sudo(), strict=True):
            letter.display_name = f"{letter_sudo.name} - {letter_sudo.level_id.name or ''}"
        return None

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for letter in self:
            letter.access_url = f"/my/dunning/letter/{letter.id}"
        return result

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Reminder %(letter)s", letter=self.name).replace("/", "-")

    @api.depends("date", "level_id.payment_delay_days", "line_ids.date_maturity")
    def _compute_payment_deadline(self):
        # Never earlier than a due date the letter lists: a courtesy reminder sent before the
        # due date asks for payment by the due date, not before it.
        for letter in self:
            days = letter.level_id.payment_delay_days
            if not letter.date or days <= 0:
                letter.payment_deadline = False
                continue
            due_dates = [date for date in letter.line_ids.mapped("date_maturity") if date]
            letter.payment_deadline = max([letter.date + timedelta(days=days), *due_dates])

    # ------------------------------------------------------------------
    # The claim as the letter states it
    # ------------------------------------------------------------------

    def _letter_regime(self):
        self.ensure_one()
        return self.policy_id.penalty_regime or "none"

    def _letter_is_consumer(self):
        self.ensure_one()
        return self._letter_regime() in CONSUMER_LETTER_REGIMES or self.partner_id.dunning_customer_kind == "consumer"

    def _letter_rate_basis(self):
        """The interest rate as the letter explains it, e.g. "the ECB main refinancing rate +
        10 points, i.e. 12.15 % for the first half of 2025"."""
        self.ensure_one()
        return self.env["account.move"]._dunning_clause_rate(self._letter_regime(), self.policy_id, self.date)

    def _letter_claim(self):
        """Per late item and in total, what the letter claims: the principal still due, the
        interest to the letter's date and the indemnity (never for a consumer). Penalties
        only when the level states them."""
        self.ensure_one()
        currency = self.currency_id
        consumer = self._letter_is_consumer()
        penalties = self.apply_penalties
        if consumer and penalties:
            # A consumer's notice starts interest: until some has run, the letter states the
            # principal only, with no row of zero penalties.
            penalties = any(currency.compare_amounts(line.interest_amount, 0.0) > 0 for line in self.line_ids)
        indemnity_owed = penalties and not consumer
        rows = [
            {
                "line": line,
                "principal": line.amount_due,
                "interest": line.interest_amount if penalties else 0.0,
                "indemnity": line.indemnity_amount if indemnity_owed else 0.0,
            }
            for line in self.line_ids
        ]
        interest = currency.round(sum(row["interest"] for row in rows))
        indemnity = currency.round(sum(row["indemnity"] for row in rows))
        principal = self.amount_net
        return {
            "rows": rows,
            "show_penalties": penalties,
            "show_indemnity": indemnity_owed,
            "principal": principal,
            "interest": interest,
            "indemnity": indemnity,
            "penalties": currency.round(interest + indemnity),
            "total": currency.round(principal + interest + indemnity),
            "rate_basis": self._letter_rate_basis() if penalties else "",
        }

    def _letter_salutation(self):
        self.ensure_one()
        return self.level_id.letter_salutation or self.env._("Dear Sir or Madam,")

    # ------------------------------------------------------------------
    # The formal notice's wording
    # ------------------------------------------------------------------

    def _letter_legal_basis(self):
        """The paragraph of a formal notice that names the law the claim rests on, for the
        regime of the customer's policy; empty when no penalty regime applies."""
        self.ensure_one()
        regime = self._letter_regime()
        rate = self._letter_rate_basis()
        texts = {
            "fr_b2b": self.env._(
                "The sums claimed are owed under the invoices listed above. Under article L441-10 of the French "
                "Commercial Code, late-payment penalties are due without a reminder being necessary from the day "
                "after each due date, at %(rate)s; under article D441-5, a fixed recovery indemnity of EUR 40 is "
                "owed for each invoice paid late.",
                rate=rate,
            ),
            "fr_b2c": self.env._(
                "The sums claimed are owed under the invoices listed above. Under articles 1231-6 and 1344-1 of the "
                "French Civil Code, this formal notice makes interest at the legal rate (%(rate)s) run on the sums "
                "owed from the date of this letter until payment.",
                rate=rate,
            ),
            "be_b2b": self.env._(
                "The sums claimed are owed under the invoices listed above. Under the law of 2 August 2002 on "
                "combating late payment in commercial transactions, interest is due without notice from the day "
                "after each due date, at %(rate)s, and a fixed recovery indemnity of EUR 40 is owed for each "
                "invoice paid late.",
                rate=rate,
            ),
            "be_b2c": self.env._(
                "The sums claimed are owed under the invoices listed above. Under Book XIX of the Code of Economic "
                "Law, after the free first reminder and its period of at least 14 days, the interest stated above "
                "is due at %(rate)s, within the limits set by that Code.",
                rate=rate,
            ),
            "eu_b2b": self.env._(
                "The sums claimed are owed under the invoices listed above. Under Directive 2011/7/EU on combating "
                "late payment in commercial transactions, interest is due from the day after each due date, at "
                "%(rate)s, and a fixed compensation of EUR 40 is owed for each invoice paid late.",
                rate=rate,
            ),
        }
        return texts.get(
            regime, self.env._("The sums claimed are owed under the invoices listed above, on the due dates shown.")
        )

    def _letter_consequences(self):
        """What follows if the deadline passes. Recovery costs beyond the indemnity are
        mentioned only where a professional owes the indemnity: a consumer's stay with the
        creditor in France (CPCE L111-8)."""
        self.ensure_one()
        deadline = format_date(self.env, self.payment_deadline) if self.payment_deadline else ""
        if self._letter_is_consumer() or self._letter_regime() not in ("fr_b2b", "be_b2b", "eu_b2b"):
            return self.env._(
                "Failing payment in full by %(deadline)s, we will take the legal steps needed to recover these "
                "sums, including bringing the matter before the competent court, without further notice.",
                deadline=deadline,
            )
        return self.env._(
            "Failing payment in full by %(deadline)s, we will take the legal steps needed to recover these sums, "
            "including handing the claim to a collection agency or bringing it before the competent court, without "
            "further notice; the costs of recovery above the fixed indemnity may then be claimed from you.",
            deadline=deadline,
        )

    # ------------------------------------------------------------------
    # Paying from the letter's page
    # ------------------------------------------------------------------

    def _portal_link(self):
        """The secure link printed on the letter and e-mail (creates the token if needed)."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _portal_line_due_now(self, line):
        """What is still due now on one of the letter's receivable lines, in the letter's currency."""
        move_line = line.move_line_id
        if move_line.currency_id == self.currency_id:
            return move_line.amount_residual_currency
        return move_line.amount_residual

    def _portal_open_lines(self):
        """The letter's lines (installments) still to pay now: those paid since are left out."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: (
                line.move_id.state == "posted"
                and line.move_id.payment_state not in ("paid", "in_payment", "reversed")
                and not line.move_line_id.reconciled
                and self.currency_id.compare_amounts(self._portal_line_due_now(line), 0.0) > 0
            )
        )

    def _portal_open_invoices(self):
        """The letter's invoices with one of the letter's lines still to pay now (those paid
        since are shown as paid)."""
        self.ensure_one()
        return self._portal_open_lines().move_id

    def _portal_amount_open(self, invoices=None):
        """What is still due now on the letter's lines (of ``invoices`` only, when given): the
        installments the letter asks for, not the invoices' later ones."""
        self.ensure_one()
        lines = self._portal_open_lines()
        if invoices is not None:
            lines = lines.filtered(lambda line: line.move_id in invoices)
        return self.currency_id.round(sum(self._portal_line_due_now(line) for line in lines))

    def _portal_invoice_values(self):
        """Per invoice of the letter: what the page shows (due now on the letter's lines, and
        the invoice's other open installments the letter does not ask for)."""
        self.ensure_one()
        open_lines = self._portal_open_lines()
        letter_move_lines = self.line_ids.move_line_id
        values = {}
        for move in self.line_ids.move_id:
            lines = open_lines.filtered(lambda line, move=move: line.move_id == move)
            others = move.line_ids.filtered(
                lambda aml: (
                    aml.display_type == "payment_term"
                    and not aml.reconciled
                    and aml not in letter_move_lines
                    and self.currency_id.compare_amounts(aml.amount_residual_currency, 0.0) > 0
                )
            )
            values[move] = {
                "amount": self.currency_id.round(sum(self._portal_line_due_now(line) for line in lines)),
                "date_due": min(
                    self.line_ids.filtered(lambda line, move=move: line.move_id == move).mapped("date_maturity")
                ),
                "other_amount": self.currency_id.round(sum(others.mapped("amount_residual_currency"))),
                "other_date": min(others.mapped("date_maturity"), default=False),
            }
        return values

    # ------------------------------------------------------------------
    # One scan: the SEPA credit-transfer QR code (EPC "BCD"), through Odoo's own
    # res.partner.bank QR methods (account_qr_code_sepa)
    # ------------------------------------------------------------------

    def _letter_qr_bank(self):
        """The company's first IBAN account, or nothing (then the letter gives no QR)."""
        self.ensure_one()
        return self.company_id.partner_id.bank_ids.filtered(lambda bank: bank.acc_type == "iban")[:1]

    def _letter_qr_reference(self):
        """(structured, free) communication the company can match: the Belgian structured
        communication of the one invoice to pay when it has one, else the invoices'
        payment references (or the letter's reference when they do not fit)."""
        self.ensure_one()
        invoices = self.line_ids.move_id
        references = [invoice.payment_reference or invoice.name for invoice in invoices]
        if len(invoices) == 1 and is_valid_structured_reference(references[0] or ""):
            return references[0], ""
        free = " ".join(references)
        return "", free if len(free) <= 140 else self.name

    def _letter_qr_values(self):
        """Arguments of res.partner.bank's QR builders for the amount this letter asks the
        customer to transfer (the principal still due, net of credits: penalties are
        invoiced apart), or None when no SEPA QR can be made (no IBAN, not in euros...)."""
        self.ensure_one()
        bank = self._letter_qr_bank()
        amount = self.amount_net
        if not bank or self.currency_id.compare_amounts(amount, 0.0) <= 0:
            return None
        structured, free = self._letter_qr_reference()
        return bank, {
            "amount": amount,
            "free_communication": free,
            "structured_communication": structured,
            "currency": self.currency_id,
            "debtor_partner": self.partner_id,
            "qr_method": "sct_qr",
        }

    def _letter_qr_image(self):
        """The QR code as a data URI for the PDF, or False."""
        self.ensure_one()
        found = self._letter_qr_values()
        return (found and found[0].build_qr_code_base64(**found[1])) or False

    def _letter_qr_url(self):
        """The QR code as an absolute image URL for e-mails (mail clients drop data URIs), or False."""
        self.ensure_one()
        found = self._letter_qr_values()
        url = found and found[0].build_qr_code_url(**found[1])
        return (url and self.get_base_url() + url) or False

    # ------------------------------------------------------------------
    # The customer answers from the letter's page. Each answer is checked first (a clear,
    # translated refusal changes nothing), then logged on the letter and the case.
    # ------------------------------------------------------------------

    def _portal_case(self):
        self.ensure_one()
        return self.env["account.dunning.case"]._for_partners(self.partner_id, self.company_id)[:1]

    def _portal_log(self, body, summary, attachments=None):
        """The answer in the chatter of the letter and of the case, and an activity for the
        collector on the case (the letter when no case is open)."""
        self.ensure_one()
        case = self._portal_case()
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=self.partner_id.id,
            attachment_ids=attachments.ids if attachments else [],
        )
        target = case or self
        if case:
            case.message_post(body=body, subtype_xmlid="mail.mt_note", author_id=self.partner_id.id)
        target.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=body,
            user_id=self._activity_user().id,
        )
        return case

    @api.model
    def _portal_parse_date(self, value):
        try:
            return fields.Date.to_date(value) if value else None
        except ValueError:
            return None

    def _portal_declare_paid(self, paid_on, proof_name=None, proof_content=None):
        """ "I have paid": the collector checks it; reminders pause for the policy's grace."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        day = self._portal_parse_date(paid_on)
        if not day:
            raise UserError(self.env._("Please give the date of your payment."))
        if day > today:
            raise UserError(self.env._("The date of your payment cannot be in the future."))
        attachments = self.env["ir.attachment"]
        if proof_content:
            attachments = attachments.create(
                {"name": proof_name or "proof", "raw": proof_content, "res_model": self._name, "res_id": self.id}
            )
        body = self.env._(
            "The customer says they paid on %(date)s (letter %(letter)s)%(proof)s.",
            date=format_date(self.env, day),
            letter=self.name,
            proof=self.env._(", proof attached") if attachments else "",
        )
        case = self._portal_log(
            body, self.env._("Check a payment declared by %(partner)s", partner=self.partner_id.name), attachments
        )
        if case:
            grace = self.policy_id.promise_grace_days or 0
            pause = today + timedelta(days=max(grace, 1))
            if not case.promise_pause_until or case.promise_pause_until < pause:
                case.promise_pause_until = pause

    def _portal_dispute(self, invoice_id, reason):
        """ "I dispute this invoice": the invoice is disputed (no more reminders for it) with
        the customer's reason, and the case records the dispute as the late cause."""
        self.ensure_one()
        reason = (reason or "").strip()
        invoice = self.line_ids.move_id.filtered(lambda move: str(move.id) == str(invoice_id))
        if not invoice:
            raise UserError(self.env._("Choose one of the invoices of this letter."))
        if not reason:
            raise UserError(self.env._("Please tell us why you dispute this invoice."))
        invoice.write({"dunning_excluded": True, "dunning_exclusion_reason": reason[:250]})
        body = self.env._("The customer disputes invoice %(invoice)s: %(reason)s", invoice=invoice.name, reason=reason)
        invoice.message_post(body=body, subtype_xmlid="mail.mt_note", author_id=self.partner_id.id)
        case = self._portal_log(body, self.env._("Dispute on %(invoice)s", invoice=invoice.name))
        cause = self.env.ref("account_dunning.late_cause_dispute", raise_if_not_found=False)
        if case and cause:
            case.late_cause_id = cause

    def _portal_promise(self, promise_on):
        """ "I promise to pay on": recorded exactly as a collector's promise (the case's rules:
        today or later, within the policy's horizon), for what the letter asks."""
        self.ensure_one()
        day = self._portal_parse_date(promise_on)
        if not day:
            raise UserError(self.env._("Please give the date on which you will pay."))
        case = self._portal_case()
        if not case:
            raise UserError(self.env._("Nothing is overdue any more: there is nothing to promise."))
        amount = self._portal_amount_open() or self.amount_net
        case._record_promise(day, amount, note=self.env._("Promised by the customer from letter %s.", self.name))
        self._portal_log(
            self.env._(
                "The customer promises to pay %(amount)s on %(date)s.",
                amount=format_amount(self.env, amount, self.currency_id),
                date=format_date(self.env, day),
            ),
            self.env._("Promise to pay from %(partner)s", partner=self.partner_id.name),
        )
