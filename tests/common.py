from contextlib import contextmanager
from datetime import date, timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.fields import Command
from odoo.tests import TransactionCase
from odoo.tools import SQL

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


class SeparateProcessesCommon(TransactionCase):
    """Tests whose "processes" are real, separate database connections (``registry.cursor()``
    outside registry test mode), so locks, snapshots and commits are PostgreSQL's own. They can
    only share committed data, which their clean-up deletes after ``_close_connections``."""

    def setUp(self):
        super().setUp()
        self.connections = []
        self.company_id = None

    def _close_connections(self):
        """Roll back and close every process's connection (as PostgreSQL does when a process
        dies), before the clean-up deletes what the test committed."""
        for cr in self.connections:
            if not cr.closed:
                cr.rollback()
                cr.close()

    @contextmanager
    def committed_env(self):
        """A short transaction of its own, committed when the block ends: what any process sees."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def process(self):
        """A new process: its own connection, its own transaction (closed by the clean-up), as
        the superuser in ``company_id``."""
        cr = self.registry.cursor()
        self.connections.append(cr)
        return api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})


class AcrossProcessesCommon(SeparateProcessesCommon):
    """Separate processes on a committed book: ``setUp`` commits, in the database's main
    company, five customers with one invoice of 100.00 each from ``INVOICE_DATE`` due
    ``DUE_DATE`` and a run on ``RUN_DATE``, with ``PARAMETERS`` set; the clean-up closes the
    processes' connections, deletes all of it and puts the parameters back. ``RUN_DATE`` is in
    2024, when the main company has nothing else to remind and no collection case (checked
    before anything is committed)."""

    RUN_DATE = INVOICE_DATE = DUE_DATE = None
    CUSTOMER_NAME = "Committed customer"
    PARAMETERS = {}  # system parameters the test runs with
    RUN_VALUES = {}

    def setUp(self):
        super().setUp()
        with self.committed_env() as superuser_env:
            company = superuser_env.ref("base.main_company")
            env = superuser_env(context={"allowed_company_ids": company.ids})
            self._check_main_company_is_free(env, company)
            params = env["ir.config_parameter"]
            self.previous_parameters = {key: params.get_param(key) for key in self.PARAMETERS}
            for key, value in self.PARAMETERS.items():
                params.set_param(key, value)
            self._prepare_company(env, company)
            customers = env["res.partner"].create(
                [
                    {"name": f"{self.CUSTOMER_NAME} {index}", "is_company": True, "email": f"c{index}@example.com"}
                    for index in range(5)
                ]
            )
            invoices = post_service_invoices(env, customers, self.INVOICE_DATE, self.DUE_DATE)
            run = env["account.dunning.run"].create(
                {"company_id": company.id, "date": self.RUN_DATE, **self.RUN_VALUES}
            )
            self.company_id, self.customer_ids, self.invoice_ids, self.run_id = (
                company.id,
                customers.ids,
                invoices.ids,
                run.id,
            )
        self.addCleanup(self._delete_committed_data)

    def _check_main_company_is_free(self, env, company):
        owed = env["account.dunning.receivable"]._owed_domain(company)
        horizon = self.RUN_DATE + timedelta(days=31)
        self.assertFalse(
            env["account.move.line"].search_count([*owed, ("date_maturity", "<=", horizon)], limit=1),
            "the main company has receivables of 2024: pick another run date",
        )
        self.assertFalse(
            env["account.dunning.case"].with_context(active_test=False).search_count([("company_id", "=", company.id)]),
            "the main company has collection cases: a run would change them",
        )
        self.assertFalse(
            env["account.dunning.run"].search_count([("company_id", "=", company.id), ("date", "=", self.RUN_DATE)])
        )

    def _prepare_company(self, env, company):
        """What a test changes in the main company before the book is made (put back by
        ``_restore_company``)."""

    def _restore_company(self, env, company):
        """Put back what ``_prepare_company`` changed."""

    def _delete_committed_data(self):
        self._close_connections()
        with self.committed_env() as env:
            letters = env["account.dunning.letter"].search([("partner_id", "in", self.customer_ids)])
            env["mail.message"].search([("model", "=", letters._name), ("res_id", "in", letters.ids)]).unlink()
            env["ir.attachment"].search([("res_model", "=", letters._name), ("res_id", "in", letters.ids)]).unlink()
            # Sent letters refuse deletion (the customer's history): this is the test's own data.
            env.flush_all()
            env.cr.execute(SQL("DELETE FROM account_dunning_letter WHERE id IN %s", tuple(letters.ids) or (0,)))
            env.invalidate_all()
            env["account.dunning.run"].browse(self.run_id).unlink()
            env["account.dunning.case"].with_context(active_test=False).search(
                [("partner_id", "in", self.customer_ids)]
            ).unlink()
            invoices = env["account.move"].browse(self.invoice_ids)
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.customer_ids).unlink()
            for key, value in self.previous_parameters.items():
                env["ir.config_parameter"].set_param(key, value)
            self._restore_company(env, env["res.company"].browse(self.company_id))


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
