from contextlib import contextmanager
from datetime import date

from odoo import fields
from odoo.fields import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.account_dunning.demo.demo_book import name_generic_chart_accounts
from odoo.addons.account_dunning.models.account_dunning_rate import ECB_KNOWN_THROUGH_PARAM


def post_service_invoices(env, customers, invoice_date, due_date, amount=100.0):
    """One posted invoice of ``amount`` (no tax) per customer, due on ``due_date``: for the
    tests that work on their own committed connection, outside DunningCommon's fixtures."""
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
            for customer in customers
        ]
    )
    invoices.action_post()
    return invoices


def confirm_ecb_rate_as_the_daily_fetch(env, through=None):
    """For the tests that really mean "today": the ECB rate in force up to ``through`` (default:
    today) is confirmed, as the daily fetch of the ECB's data would confirm it on a machine with
    internet (the test machines have none). Without it, the ECB-based penalties of a half-year
    whose first day the data does not confirm cannot be computed (issue 16 item 4)."""
    through = through or fields.Date.context_today(env.user)
    env["ir.config_parameter"].sudo().set_param(ECB_KNOWN_THROUGH_PARAM, fields.Date.to_string(through))


def french_chart_installed(env):
    """Whether the French localisation (l10n_fr_account) is installed: tools/test installs it,
    a bare database (tools/check-install) has the generic chart only."""
    return env["ir.module.module"]._get("l10n_fr_account").state == "installed"


class DunningCommon(AccountTestInvoicingCommon):
    """A French company with its default dunning policies, customers of both kinds, and
    helpers that read like scenarios: invoice, pay, run on a day, read the letters."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("fr")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.eur = cls.company.currency_id
        cls.professional = cls.env["res.partner"].create(
            {"name": "Boulangerie Test SARL", "is_company": True, "email": "compta@boulangerie.example.com"}
        )
        cls.consumer = cls.env["res.partner"].create({"name": "Jeanne Martin", "email": "jeanne@example.com"})
        cls.terms_30 = cls.env["account.payment.term"].create(
            {"name": "30 days", "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})]}
        )
        # Automatic sending is off for every new company (letters wait for review); the scenarios
        # of this suite are those of a company whose dunning manager has switched it on.
        cls.company.dunning_auto_send = True
        cls.policy_pro = cls.company.dunning_policy_professional_id
        cls.policy_consumer = cls.company.dunning_policy_consumer_id
        cls.levels = cls.policy_pro._sorted_levels()

    @classmethod
    def _create_company(cls, **create_values):
        # French is loaded in tools/test's database; a bare database gets it here (with the
        # addon's French terms: constraint messages are read from the database), before the
        # company names its default policies in each active language.
        french = cls.env["res.lang"].with_context(active_test=False).search([("code", "=", "fr_FR")])
        if not french.active:
            cls.env["res.lang"]._activate_lang("fr_FR")
            cls.env["ir.module.module"]._get("account_dunning")._update_translations(["fr_FR"])
        company = super()._create_company(**create_values)
        if not french_chart_installed(cls.env):
            name_generic_chart_accounts(cls.env, company)
        return company

    @classmethod
    def _use_chart_template(cls, company, chart_template_ref=None):
        # A French company keeps the French chart where l10n_fr_account is installed (tools/test's
        # database); on a bare database (tools/check-install) it takes the generic chart instead of
        # being skipped: the addon does not depend on the localisation, so its tests must not either.
        if not chart_template_ref and not french_chart_installed(cls.env):
            chart_template_ref = "generic_coa"
        return super()._use_chart_template(company, chart_template_ref)

    def skip_without_french_chart(self):
        """For the tests that read the posted entries by the French chart's account codes."""
        if not french_chart_installed(self.env):
            self.skipTest("reads the entries by the French chart's account codes: needs l10n_fr_account")

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("account_dunning.group_dunning_manager")

    @classmethod
    def invoice(cls, partner, amount, invoice_date, terms=None, currency=None, company=None, post=True):
        """A customer invoice of ``amount`` incl. VAT (no tax line, so the figures stay plain)."""
        vals = {
            "partner_id": partner,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": terms or cls.terms_30,
            "post": post,
            "tax_ids": [],
        }
        if currency:
            vals["currency_id"] = currency
        if company:
            vals["company_id"] = company
        return cls._create_invoice_one_line(price_unit=amount, **vals)

    @classmethod
    def pay(cls, invoice, amount, on):
        return cls._register_payment(invoice, amount=amount, payment_date=on)

    def dun(self, on, company=None, send=True):
        company = company or self.company
        run = self.env["account.dunning.run"]._get_or_create(
            company, on if isinstance(on, date) else date.fromisoformat(on)
        )
        run.send_letters = send
        run._run_now()
        return run

    def make_user(self, login, group="collector", company=None):
        """A user of the dunning group ``group`` (collector or manager) in one company."""
        company = company or self.company
        return self.env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [Command.set(self.env.ref(f"account_dunning.group_dunning_{group}").ids)],
            }
        )

    @contextmanager
    def assertRefused(self, exception, message_part):
        """The operation fails with ``exception`` whose message says ``message_part``, and is
        rolled back (Odoo's assertRaises wraps it in a savepoint; assertRaisesRegex does not)."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(message_part, str(caught.exception))

    def case_of(self, partner=None):
        """The collection case of a customer (default: the professional) in the main company."""
        return self.env["account.dunning.case"].search(
            [("partner_id", "=", (partner or self.professional).id), ("company_id", "=", self.company.id)]
        )

    def letters(self, partner, **extra):
        domain = [("partner_id", "=", partner.id), ("state", "!=", "cancelled")]
        domain += [(key, "=", value) for key, value in extra.items()]
        return self.env["account.dunning.letter"].search(domain, order="date, id")
