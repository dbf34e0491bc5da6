from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.account_dunning.demo import demo_book
from odoo.addons.account_dunning.law.rates import half_year_start

from .common import DunningCommon, french_chart_installed


@tagged("post_install", "-at_install")
class TestInstall(DunningCommon):
    """What an accountant sees right after installing the addon."""

    def test_french_localisation_is_installed_with_the_addon(self):
        if not french_chart_installed(self.env):
            self.skipTest("needs the French chart (l10n_fr_account), which tools/test installs")
        modules = self.env["ir.module.module"].search([("name", "in", ("account_dunning", "l10n_fr_account"))])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(self.company.country_id.code, "FR")
        self.assertEqual(self.company.chart_template, "fr")

    def test_groups_and_access_rules_are_loaded(self):
        collector = self.env.ref("account_dunning.group_dunning_collector")
        manager = self.env.ref("account_dunning.group_dunning_manager")
        self.assertIn(collector, manager.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").implied_ids)
        for model in (
            "account.dunning.policy",
            "account.dunning.level",
            "account.dunning.run",
            "account.dunning.letter",
        ):
            accesses = self.env["ir.model.access"].search([("model_id.model", "=", model)])
            self.assertIn(manager, accesses.group_id, f"{model}: managers have access")
            rules = self.env["ir.rule"].search([("model_id.model", "=", model)])
            self.assertTrue(rules.filtered(lambda rule: "company_ids" in rule.domain_force), f"{model}: company rule")

    def test_a_collector_cannot_configure_policies(self):
        collector = self.make_user("colette")
        policy = self.policy_pro.with_user(collector)
        self.assertTrue(policy.has_access("read"))
        self.assertFalse(policy.has_access("write"))
        self.assertFalse(self.env["account.dunning.run"].with_user(collector).has_access("create"))
        self.assertTrue(self.env["account.dunning.letter"].with_user(collector).has_access("create"))

    def test_default_policies_follow_the_country(self):
        def regimes(company):
            return (
                company.dunning_policy_professional_id.penalty_regime,
                company.dunning_policy_consumer_id.penalty_regime,
            )

        self.assertEqual(regimes(self.company), ("fr_b2b", "fr_b2c"))
        belgian = self.env["res.company"].create({"name": "BE Co", "country_id": self.env.ref("base.be").id})
        german = self.env["res.company"].create({"name": "DE Co", "country_id": self.env.ref("base.de").id})
        american = self.env["res.company"].create({"name": "US Co", "country_id": self.env.ref("base.us").id})
        swiss = self.env["res.company"].create({"name": "CH Co", "country_id": self.env.ref("base.ch").id})
        self.assertEqual(regimes(belgian), ("be_b2b", "be_b2c"))
        self.assertEqual(regimes(german), ("eu_b2b", "none"))
        # The Late Payment Directive binds EU creditors only: nothing is claimed by default elsewhere.
        self.assertEqual(regimes(american), ("none", "none"))
        self.assertEqual(regimes(swiss), ("none", "none"))
        # A company created without a country, completed afterwards: its untouched defaults follow.
        later = self.env["res.company"].create({"name": "Later Co"})
        self.assertEqual(regimes(later), ("none", "none"))
        later.country_id = self.env.ref("base.it")
        self.assertEqual(regimes(later), ("eu_b2b", "none"))
        later.country_id = self.env.ref("base.fr")
        self.assertEqual(regimes(later), ("fr_b2b", "fr_b2c"))
        # A regime chosen by hand stays as chosen.
        later.dunning_policy_consumer_id.penalty_regime = "none"
        later.country_id = self.env.ref("base.be")
        self.assertEqual(regimes(later), ("be_b2b", "none"))
        levels = belgian.dunning_policy_professional_id._sorted_levels()
        self.assertEqual(levels.mapped("delay_days"), [-5, 7, 20, 45, 60])
        self.assertEqual(levels.filtered("is_formal_notice").channel, "letter")

    def test_a_company_outside_the_eu_prints_no_eu_clause(self):
        # Companies with the French chart (the only localisation installed here), then moved to their
        # country: their untouched default policies follow it.
        american = self.setup_other_company(name="Acme Inc")["company"]
        german = self.setup_other_company(name="Muster GmbH")["company"]
        american.country_id = self.env.ref("base.us")
        german.country_id = self.env.ref("base.de")
        self.assertEqual(american.dunning_policy_professional_id.penalty_regime, "none")
        self.assertEqual(german.dunning_policy_professional_id.penalty_regime, "eu_b2b")
        customer = self.env["res.partner"].create({"name": "Customer Corp", "is_company": True})
        us_invoice = self.invoice(customer, 1000.0, "2025-03-01", company=american)
        de_invoice = self.invoice(customer, 1000.0, "2025-03-01", company=german)
        html = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", us_invoice.ids)[0].decode()
        self.assertIn(us_invoice.name, html)
        self.assertNotIn("2011/7/EU", html)
        self.assertNotIn("recovery indemnity", html)
        self.assertEqual(us_invoice._dunning_statutory_clause(), "")
        # An EU member state keeps the directive: ECB 3.15 % on 1 January 2025 + 8 points = 11.15 %.
        html = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", de_invoice.ids)[0].decode()
        self.assertIn("2011/7/EU", html)
        self.assertIn("11.15 %", html)

    def test_nothing_is_sent_until_a_dunning_manager_switches_sending_on(self):
        # At install (the companies the addon found) and for every new company: off.
        self.assertFalse(self.env.ref("base.main_company").dunning_auto_send)
        self.assertFalse(self.env["res.company"].create({"name": "New Co"}).dunning_auto_send)
        self.assertFalse(self.setup_other_company(name="Other Co")["company"].dunning_auto_send)
        # The scenarios of this suite switch it on (DunningCommon); a company that has not:
        self.company.dunning_auto_send = False
        self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        mails_before = self.env["mail.mail"].sudo().search_count([])
        run = self.dun("2025-02-07")  # the first reminder (an automatic e-mail level) is due
        letter = self.letters(self.professional)
        self.assertEqual(letter.level_id, self.levels[1])
        self.assertTrue(letter.auto_send, "the level would send by itself")
        self.assertEqual(letter.state, "to_send", "it waits for review")
        self.assertEqual((run.letters_created, run.letters_sent), (1, 0))
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails_before, "no e-mail queued")
        # The run's form says so plainly.
        arch = self.env["account.dunning.run"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Letters wait for review", arch)
        # A dunning manager reviewed it and switches sending on: the next letters go out.
        self.company.dunning_auto_send = True
        self.invoice(self.consumer, 200.0, "2025-01-02")  # due 02-01
        run = self.dun("2025-02-08")
        self.assertEqual(self.letters(self.consumer).state, "sent")
        self.assertEqual(run.letters_sent, 1)
        self.assertEqual(letter.state, "to_send", "the reviewed letter is still the collector's to send")

    def test_default_policies_are_translated(self):
        self.assertIn("fr_FR", dict(self.env["res.lang"].get_installed()))
        policy = self.policy_pro.with_context(lang="fr_FR")
        self.assertEqual(policy.name, "Clients professionnels")
        self.assertEqual(policy._sorted_levels()[3].with_context(lang="fr_FR").name, "Mise en demeure")


@tagged("post_install", "-at_install")
class TestDemoData(AccountTestInvoicingCommon):
    """The demo book tools/demo builds (demo/demo_book.py), smaller, in the test's transaction:
    it needs no demo data, and installing the addon never builds it."""

    INVOICES = 150

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_company = cls.env.ref("base.user_admin").company_id
        cls.demo_company = demo_book.populate(cls.env, invoice_count=cls.INVOICES)

    def test_demo_generator_is_not_in_the_registry(self):
        self.assertNotIn("account.dunning.demo", self.env.registry)
        # Only the explicit demo command makes the demo company the admin's current one.
        self.assertEqual(self.env.ref("base.user_admin").company_id, self.admin_company)
        self.assertIn(self.demo_company, self.env.ref("base.user_admin").company_ids)

    def test_demo_book_is_loaded(self):
        company = self.demo_company
        self.assertEqual(company, self.env.ref("account_dunning.demo_company"))
        self.assertEqual(company.country_id.code, "FR")
        # The French chart where the localisation is installed, the generic one on a bare database.
        self.assertEqual(company.chart_template, "fr" if french_chart_installed(self.env) else "generic_coa")
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("is_dunning_penalty", "=", False),
                    ("partner_id.email", "=like", "%example.com"),
                ]
            )
        )
        customers = invoices.partner_id
        # 150 invoices drawn among 36 customers: all but a few have one.
        self.assertGreaterEqual(len(customers), 30)
        self.assertTrue(customers.filtered(lambda p: p.dunning_customer_kind == "consumer"))
        self.assertTrue(customers.filtered(lambda p: p.dunning_customer_kind == "professional"))
        self.assertEqual(len(invoices), self.INVOICES)
        states = set(invoices.mapped("payment_state"))
        self.assertTrue({"paid", "partial", "not_paid"} <= states, states)
        multi = invoices.filtered(
            lambda move: len(move.line_ids.filtered(lambda line: line.display_type == "payment_term")) > 1
        )
        self.assertTrue(multi, "some invoices are on installments")
        self.assertTrue(invoices.filtered("dunning_excluded"), "some invoices are disputed")
        letters = self.env["account.dunning.letter"].sudo().search([("company_id", "=", company.id)])
        self.assertTrue(letters.filtered(lambda letter: letter.state == "sent"), "the past weeks were dunned")
        # Disputes were recorded before the dunning history was replayed: never reminded.
        disputed_first = invoices.filtered(
            lambda move: move.dunning_exclusion_reason == "Customer disputes the quantities delivered"
        )
        self.assertTrue(disputed_first)
        self.assertFalse(letters.line_ids.move_id & disputed_first)
        blocked = customers.filtered("dunning_blocked")
        self.assertEqual(len(blocked), 1)
        self.assertFalse(letters.filtered(lambda letter: letter.partner_id == blocked))

    def test_demo_book_shows_the_whole_desk(self):
        company = self.demo_company
        domain = [("company_id", "=", company.id)]
        cases = self.env["account.dunning.case"].sudo().search(domain)
        # The board's columns of the desk's work are filled.
        for code in ("promise", "plan", "agency"):
            self.assertTrue(cases.filtered(lambda case, code=code: case.stage_code == code), code)
        promise_states = set(cases.mapped("promise_state"))
        self.assertTrue({"pending", "kept", "broken"} <= promise_states, promise_states)
        plans = self.env["account.dunning.installment.plan"].sudo().search(domain)
        self.assertTrue({"active", "completed", "broken"} <= set(plans.mapped("state")))
        handoffs = self.env["account.dunning.handoff"].sudo().search(domain)
        closed = handoffs.filtered(lambda handoff: handoff.state == "closed")
        self.assertTrue(closed.filtered(lambda handoff: handoff.amount_recovered > 0 and handoff.write_off_move_id))
        self.assertEqual(closed.mapped("outcome"), ["partial"])
        self.assertTrue(handoffs.filtered(lambda handoff: handoff.state == "sent"), "one still at the agency")
        penalties = self.env["account.move"].sudo().search([*domain, ("is_dunning_penalty", "=", True)])
        self.assertTrue(penalties.filtered(lambda move: move.payment_state in ("paid", "in_payment")))
        disputed = cases.filtered(lambda case: case.late_cause_id == self.env.ref("account_dunning.late_cause_dispute"))
        self.assertTrue(disputed)
        excluded = (
            self.env["account.move"]
            .sudo()
            .search([*domain, ("partner_id", "in", disputed.partner_id.ids), ("dunning_excluded", "=", True)])
        )
        self.assertTrue(excluded, "the disputed invoice is kept out of the reminders")
        letters = self.env["account.dunning.letter"].sudo().search(domain)
        self.assertEqual(set(letters.mapped("state")), {"draft", "to_send", "sent", "cancelled", "failed"})

    def test_demo_book_assumes_the_ecb_rate_it_cannot_fetch(self):
        # The demo database has no internet: the demo confirms the ECB rate of the half-years its
        # penalties run through with entries that say they are its assumption, never silently.
        today = fields.Date.context_today(self.demo_company)
        Rate = self.env["account.dunning.rate"]
        self.assertIsNone(Rate._unconfirmed_ecb_half_year(today))
        self.assertTrue(Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", half_year_start(today))]))
        # The shipped data ends with the confirmation of 1 January 2026, unchanged at 2.15 % since
        # 11 June 2025: every later entry is the demo's, at that rate, on a half-year's first day.
        for entry in Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", ">", "2026-01-01")]):
            self.assertTrue(entry.note.startswith("Demo assumption"), entry.note)
            self.assertEqual((entry.rate, entry.date_from.day, entry.date_from.month in (1, 7)), (2.15, 1, True))
        letters = self.env["account.dunning.letter"].sudo().search([("company_id", "=", self.demo_company.id)])
        self.assertFalse(letters.filtered(lambda letter: "ECB" in (letter.failure_reason or "")))

    def test_demo_book_has_a_belgian_consumers_free_first_reminder(self):
        company = self.demo_company
        today = fields.Date.context_today(company)
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id.country_id.code", "=", "BE"),
                    ("partner_id.dunning_customer_kind", "=", "consumer"),
                ]
            )
        )
        belgian = invoices.partner_id
        self.assertEqual(len(belgian), 1)
        policy = belgian._dunning_policy(company)
        self.assertEqual((policy.penalty_regime, policy.consumer_clause), ("be_b2c", "legal_maximum"))
        self.assertEqual(policy.with_context(lang="en_US").name, "Belgian consumers (demo)")
        if "fr_FR" in dict(self.env["res.lang"].get_installed()):
            # Named in every installed language (a bare database may have English only).
            self.assertEqual(policy.with_context(lang="fr_FR").name, "Consommateurs belges (démo)")
        invoice = self.env["account.move"].sudo().search([("partner_id", "=", belgian.id)])
        self.assertEqual(len(invoice), 1)
        # Invoiced 46 days ago on 30 days: due 16 days ago.
        self.assertEqual(invoice.invoice_date_due, today - timedelta(days=16))
        letters = self.env["account.dunning.letter"].sudo().search([("partner_id", "=", belgian.id)], order="date")
        self.assertEqual(letters.mapped("state"), ["sent", "sent"])
        courtesy, first = letters
        # Weekly runs back from today: the courtesy reminder 21 days ago (5 days before the due
        # date), the first reminder 7 days ago (9 days late), e-mailed.
        self.assertEqual((courtesy.date, first.date), (today - timedelta(days=21), today - timedelta(days=7)))
        self.assertEqual(first.level_id.delay_days, 7)
        # Recorded as sent on the day of its run, not on the day the demo was built.
        self.assertEqual(first.sent_date.date(), first.date)
        self.assertEqual(first.channel, "email")
        # Free: no fee, and the letter claims the principal only.
        self.assertEqual(first.fee_amount, 0.0)
        claim = first._letter_claim()
        self.assertFalse(claim["show_penalties"])
        self.assertEqual(claim["total"], claim["principal"])
        # E-mailed 7 days ago: the 14 days run from the next day (6 days ago) to 8 days from now
        # included; interest and damages are claimable from 8 days from now.
        penalty = invoice._compute_late_penalties(on_date=today)[invoice.id]
        self.assertEqual(
            [line_penalty.claimable_from for _line, line_penalty in penalty.lines], [today + timedelta(days=8)]
        )
        self.assertIsNone(penalty.error)
        self.assertEqual((penalty.interest, penalty.indemnity), (0.0, 0.0))
        last_free_day = invoice._compute_late_penalties(on_date=today + timedelta(days=7))[invoice.id]
        self.assertEqual((last_free_day.interest, last_free_day.indemnity), (0.0, 0.0))

    def test_demo_book_has_letters_answered_from_the_pay_page(self):
        company = self.demo_company
        today = fields.Date.context_today(company)
        letters = self.env["account.dunning.letter"].sudo().search([("company_id", "=", company.id)])

        def answered(text):
            found = letters.filtered(lambda letter: any(text in (message.body or "") for message in letter.message_ids))
            self.assertEqual(len(found), 1, text)
            # The customer's own answer, logged on the case too, with a task for the collector.
            self.assertEqual(found.message_ids.filtered(lambda m: text in (m.body or "")).author_id, found.partner_id)
            case = found._portal_case()
            self.assertTrue(case.message_ids.filtered(lambda m: text in (m.body or "")), text)
            self.assertTrue(case.activity_ids, text)
            return found, case

        paid, paid_case = answered("The customer says they paid on")
        # The reminders pause for at least a day while the collector checks the payment.
        self.assertGreaterEqual(paid_case.promise_pause_until, today + timedelta(days=1))
        disputed, disputed_case = answered("The customer disputes invoice")
        self.assertEqual(disputed_case.late_cause_id, self.env.ref("account_dunning.late_cause_dispute"))
        invoice = disputed.line_ids.move_id.filtered("dunning_excluded")
        self.assertEqual(invoice.dunning_exclusion_reason, "We returned two of the parts: they did not fit.")
        promised, promised_case = answered("The customer promises to pay")
        self.assertEqual(promised_case.promise_state, "pending")
        self.assertEqual(promised_case.promise_date, today + timedelta(days=14))
        self.assertEqual(len(paid | disputed | promised), 3)
        self.assertEqual(len((paid | disputed | promised).partner_id), 3, "three customers")
