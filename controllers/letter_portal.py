from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal as AccountPaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount


class DunningLetterPortal(PortalAccount, AccountPaymentPortal):
    """The page a letter's secure link opens: what is still due now, the letter PDF, and
    Odoo's own online payment (account_payment) for the total or one invoice."""

    def _dunning_letter_sudo(self, letter_id, access_token):
        """The letter if the token (or the logged-in customer's access) allows it; the
        standard portal refusal otherwise."""
        return self._document_check_access("account.dunning.letter", letter_id, access_token)

    @http.route(["/my/dunning/letter/<int:letter_id>"], type="http", auth="public", website=True, sitemap=False)
    def portal_dunning_letter(self, letter_id, access_token=None, report_type=None, download=False, **kw):
        try:
            letter_sudo = self._dunning_letter_sudo(letter_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=letter_sudo,
                report_type=report_type,
                report_ref="account_dunning.action_report_dunning_letter",
                download=download,
            )
        self._dunning_customer_lang(letter_sudo)
        # The letter read in the page's language (its level's name is translated).
        letter_sudo = letter_sudo.with_context(lang=request.env.lang)
        values = self._dunning_letter_page_values(letter_sudo, access_token, **kw)
        return request.render("account_dunning.portal_dunning_letter_page", values)

    def _dunning_customer_lang(self, letter_sudo):
        """A visitor who is not logged in reads the page in the letter's language (the link
        comes from the letter or its e-mail), when that language is installed."""
        lang = (letter_sudo.recipient_id or letter_sudo.partner_id).lang
        if request.env.user._is_public() and lang and lang in dict(request.env["res.lang"].get_installed()):
            request.update_context(lang=lang)

    def _dunning_answer_messages(self):
        return {
            "paid": request.env._("Thank you: we will check your payment and pause our reminders meanwhile."),
            "dispute": request.env._("Thank you: the invoice is set aside and our team will contact you."),
            "promise": request.env._("Thank you: your promise is recorded and reminders pause until that date."),
        }

    def _dunning_letter_page_values(
        self, letter_sudo, access_token, pay=False, invoice_id=None, error_allowed=False, **kw
    ):
        invoices = letter_sudo._portal_open_invoices()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "letter": letter_sudo,
                "access_token": access_token,
                "page_name": "dunning_letter",
                "open_invoices": invoices,
                "invoice_values": letter_sudo._portal_invoice_values(),
                # The letter's company brands the page (logo, footer), as Odoo's own portal
                # pages of a document do, not the visitor's default company.
                "res_company": letter_sudo.company_id,
                "amount_open": letter_sudo._portal_amount_open(),
                "pay": False,
                "message": self._dunning_answer_messages().get(kw.get("answer")),
                "error": kw.get("error") if isinstance(kw.get("error"), str) and error_allowed is True else None,
            }
        )
        to_pay = invoices
        if invoice_id:
            to_pay = invoices.filtered(lambda move: str(move.id) == str(invoice_id))
        if pay and to_pay:
            amount = letter_sudo._portal_amount_open(to_pay)
            transaction_route = f"/my/dunning/letter/{letter_sudo.id}/transaction"
            if invoice_id:
                transaction_route += f"/{to_pay.id}"
            values |= self._get_common_page_view_values(
                invoices_data={
                    "partner": letter_sudo.partner_id,
                    "company": letter_sudo.company_id,
                    "total_amount": amount,
                    "currency": letter_sudo.currency_id,
                    "amount_residual": amount,
                    "landing_route": letter_sudo.get_portal_url(),
                    "transaction_route": transaction_route,
                },
                access_token=access_token,
            )
            values.update({"pay": True, "amount": amount, "pay_invoices": to_pay})
        return values

    @http.route(
        [
            "/my/dunning/letter/<int:letter_id>/transaction",
            "/my/dunning/letter/<int:letter_id>/transaction/<int:invoice_id>",
        ],
        type="jsonrpc",
        auth="public",
    )
    def dunning_letter_transaction(self, letter_id, access_token=None, invoice_id=None, **kwargs):
        """A draft transaction for the letter's open invoices (or one of them), for what is
        due now: the amount is the server's, whatever the browser sent."""
        try:
            letter_sudo = self._dunning_letter_sudo(letter_id, access_token)
        except (AccessError, MissingError) as error:
            raise ValidationError(request.env._("The access token is invalid.")) from error
        invoices = letter_sudo._portal_open_invoices()
        if invoice_id:
            invoices = invoices.filtered(lambda move: move.id == invoice_id)
        if not invoices:
            raise ValidationError(request.env._("Nothing is left to pay on this letter."))
        self._validate_transaction_kwargs(kwargs)
        kwargs["amount"] = letter_sudo._portal_amount_open(invoices)
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else letter_sudo.partner_id
        return self._process_transaction(partner.id, letter_sudo.currency_id.id, invoices.ids, False, **kwargs)

    # ------------------------------------------------------------------
    # The customer's answers: I have paid, I dispute this invoice, I promise to pay on
    # ------------------------------------------------------------------

    def _dunning_letter_answer(self, letter_id, access_token, answer, do):
        """Check the token, run the answer; a refusal re-renders the page with its reason
        and changes nothing, a success comes back to the page with a fixed message."""
        try:
            letter_sudo = self._dunning_letter_sudo(letter_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # Refusals in the customer's language, like the page.
        self._dunning_customer_lang(letter_sudo)
        letter_sudo = letter_sudo.with_context(lang=request.env.lang)
        try:
            with request.env.cr.savepoint():
                do(letter_sudo)
        except (UserError, ValidationError) as error:
            values = self._dunning_letter_page_values(
                letter_sudo, access_token, error=error.args[0], error_allowed=True
            )
            return request.render("account_dunning.portal_dunning_letter_page", values, status=400)
        return request.redirect(letter_sudo.get_portal_url(query_string=f"&answer={answer}"))

    @http.route(["/my/dunning/letter/<int:letter_id>/paid"], type="http", auth="public", methods=["POST"], website=True)
    def portal_dunning_letter_paid(self, letter_id, access_token=None, paid_on=None, proof=None, **kw):
        def do(letter):
            content = proof.read() if proof and getattr(proof, "filename", None) else None
            letter._portal_declare_paid(paid_on, proof.filename if content else None, content)

        return self._dunning_letter_answer(letter_id, access_token, "paid", do)

    @http.route(
        ["/my/dunning/letter/<int:letter_id>/dispute"], type="http", auth="public", methods=["POST"], website=True
    )
    def portal_dunning_letter_dispute(self, letter_id, access_token=None, invoice_id=None, reason=None, **kw):
        return self._dunning_letter_answer(
            letter_id, access_token, "dispute", lambda letter: letter._portal_dispute(invoice_id, reason)
        )

    @http.route(
        ["/my/dunning/letter/<int:letter_id>/promise"], type="http", auth="public", methods=["POST"], website=True
    )
    def portal_dunning_letter_promise(self, letter_id, access_token=None, promise_on=None, **kw):
        return self._dunning_letter_answer(
            letter_id, access_token, "promise", lambda letter: letter._portal_promise(promise_on)
        )

    # ------------------------------------------------------------------
    # /my: a logged-in customer's open letters, next to the invoices and plans
    # ------------------------------------------------------------------

    def _dunning_open_letters(self):
        """The letters sent to the customer that still ask for something (the record rules
        keep them to the customer's own)."""
        Letter = request.env["account.dunning.letter"]
        if not Letter.has_access("read"):
            return Letter
        letters = Letter.search([("state", "=", "sent")], order="date desc, id desc")
        return letters.sudo().filtered(lambda letter: letter._portal_open_invoices()).sudo(False)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dunning_letter_count" in counters:
            values["dunning_letter_count"] = len(self._dunning_open_letters())
        return values

    @http.route(["/my/dunning/letters"], type="http", auth="user", website=True)
    def portal_my_dunning_letters(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update({"letters": self._dunning_open_letters().sudo(), "page_name": "dunning_letter"})
        return request.render("account_dunning.portal_my_dunning_letters", values)
