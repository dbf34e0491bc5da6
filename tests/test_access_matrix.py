"""Who may do what: one access matrix, checked cell by cell and shown as is in README.md.

Each row of ``MATRIX`` is an action on one model of the addon (the four CRUD operations and
the business buttons); each column a role. ``Y`` means the role may do it: the test does it
as that role and checks its effect. ``-`` means refused: the test checks that it raises
(AccessError, or the UserError of a guarded button) and that nothing changed.
README.md's "Security" section holds the same table; ``test_readme_shows_this_matrix``
compares them, so the documentation cannot drift from what is enforced.
"""

from contextlib import closing
from datetime import date
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon

ROLES = {
    "invoicing": "Invoicing user",
    "collector": "Collector",
    "manager": "Dunning manager",
    "accountant": "Accounting manager",
    "portal": "Portal customer",
    "public": "Public",
}

# What a guarded button says when a role may not press it (AccessError aside).
RIGHTS_REASONS = ("dunning manager", "collector", "not allowed", "access rights")
# Rows refused to every role by the record's state, and what that refusal says.
STATE_REASONS = {
    "(sent)": "records what the customer received",
    "(sent letter)": ("a sent letter is part of the customer's history", "record what the customer received"),
    "(confirmed plan)": "what the customer agreed to",
    "(sent hand-off)": "handed to the agency",
}

# fmt: off
# Flags, in ROLES' order: invoicing user, collector, dunning manager, accounting manager, portal, public.
MATRIX = [
    ("Policies",                            "read",                          "Y Y Y Y - -"),
    ("Policies",                            "create",                        "- - Y Y - -"),
    ("Policies",                            "change",                        "- - Y Y - -"),
    ("Policies",                            "delete",                        "- - Y Y - -"),
    ("Levels",                              "read",                          "Y Y Y Y - -"),
    ("Levels",                              "create",                        "- - Y Y - -"),
    ("Levels",                              "change",                        "- - Y Y - -"),
    ("Levels",                              "delete",                        "- - Y Y - -"),
    ("Reference rates",                     "read",                          "Y Y Y Y - -"),
    ("Reference rates",                     "create",                        "- - Y Y - -"),
    ("Reference rates",                     "change",                        "- - Y Y - -"),
    ("Reference rates",                     "delete",                        "- - Y Y - -"),
    ("Case stages",                         "read",                          "Y Y Y Y - -"),
    ("Case stages",                         "create",                        "- - Y Y - -"),
    ("Case stages",                         "change",                        "- - Y Y - -"),
    ("Case stages",                         "delete",                        "- - Y Y - -"),
    ("Late causes",                         "read",                          "Y Y Y Y - -"),
    ("Late causes",                         "create",                        "- - Y Y - -"),
    ("Late causes",                         "change",                        "- - Y Y - -"),
    ("Late causes",                         "delete",                        "- - Y Y - -"),
    ("Runs",                                "read",                          "- Y Y Y - -"),
    ("Runs",                                "create",                        "- - Y Y - -"),
    ("Runs",                                "change",                        "- - Y Y - -"),
    ("Runs",                                "delete",                        "- - Y Y - -"),
    ("Runs",                                "Run now",                       "- - Y Y - -"),
    ("Letters",                             "read",                          "Y Y Y Y - -"),
    ("Letters",                             "create",                        "- Y Y Y - -"),
    ("Letters",                             "change",                        "- Y Y Y - -"),
    ("Letters",                             "change (sent)",                 "- - - - - -"),
    ("Letters",                             "delete (unsent)",               "- - Y Y - -"),
    ("Letters",                             "Send",                          "- Y Y Y - -"),
    ("Letters",                             "Send (level invoicing penalties)", "- - Y Y - -"),
    ("Letter lines",                        "read",                          "Y Y Y Y - -"),
    ("Letter lines",                        "create",                        "- Y Y Y - -"),
    ("Letter lines",                        "change",                        "- Y Y Y - -"),
    ("Letter lines",                        "change (sent letter)",          "- - - - - -"),
    ("Letter lines",                        "delete (unsent letter)",        "- Y Y Y - -"),
    ("Letter lines",                        "delete (sent letter)",          "- - - - - -"),
    ("Invoiced penalty periods",            "read",                          "Y Y Y Y - -"),
    ("Invoiced penalty periods",            "create",                        "- - Y Y - -"),
    ("Invoiced penalty periods",            "change",                        "- - Y Y - -"),
    ("Invoiced penalty periods",            "delete",                        "- - Y Y - -"),
    ("Invoice penalties (wizard)",          "open",                          "- - Y Y - -"),
    ("Invoice penalties (wizard)",          "Create invoices",               "- - Y Y - -"),
    ("Installment plans",                   "read (portal: own, confirmed)", "Y Y Y Y Y -"),
    ("Installment plans",                   "create",                        "- Y Y Y - -"),
    ("Installment plans",                   "change",                        "- Y Y Y - -"),
    ("Installment plans",                   "delete (proposed)",             "- Y Y Y - -"),
    ("Installment plans",                   "Confirm",                       "- Y Y Y - -"),
    ("Installment plans",                   "Confirm (penalties frozen)",    "- - Y Y - -"),
    ("Installments",                        "read (portal: own, confirmed)", "Y Y Y Y Y -"),
    ("Installments",                        "create",                        "- Y Y Y - -"),
    ("Installments",                        "change",                        "- Y Y Y - -"),
    ("Installments",                        "change (confirmed plan)",       "- - - - - -"),
    ("Installments",                        "Reschedule (confirmed plan)",   "- Y Y Y - -"),
    ("Installments",                        "delete",                        "- Y Y Y - -"),
    ("Hand-offs",                           "read",                          "- Y Y Y - -"),
    ("Hand-offs",                           "create",                        "- Y Y Y - -"),
    ("Hand-offs",                           "change",                        "- Y Y Y - -"),
    ("Hand-offs",                           "delete (draft)",                "- - Y Y - -"),
    ("Hand-offs",                           "Confirm",                       "- - Y Y - -"),
    ("Hand-offs",                           "Write off",                     "- - Y Y - -"),
    ("Hand-offs",                           "Cancel (draft)",                "- Y Y Y - -"),
    ("Hand-offs",                           "Cancel (sent to the agency)",   "- - Y Y - -"),
    ("Hand-off lines",                      "read",                          "- Y Y Y - -"),
    ("Hand-off lines",                      "create (draft hand-off)",       "- Y Y Y - -"),
    ("Hand-off lines",                      "create (sent hand-off)",        "- - - - - -"),
    ("Hand-off lines",                      "change",                        "- Y Y Y - -"),
    ("Hand-off lines",                      "change (sent hand-off)",        "- - - - - -"),
    ("Hand-off lines",                      "delete (draft hand-off)",       "- Y Y Y - -"),
    ("Hand-off lines",                      "delete (sent hand-off)",        "- - - - - -"),
    ("Collection cases",                    "read",                          "Y Y Y Y - -"),
    ("Collection cases",                    "create",                        "- Y Y Y - -"),
    ("Collection cases",                    "change",                        "- Y Y Y - -"),
    ("Collection cases",                    "delete",                        "- - Y Y - -"),
    ("Collection cases",                    "Make the next letter",          "- Y Y Y - -"),
    ("Collection cases",                    "Block reminders",               "- Y Y Y - -"),
    ("Log a call (wizard)",                 "open",                          "- Y Y Y - -"),
    ("Log a call (wizard)",                 "Log",                           "- Y Y Y - -"),
    ("Case tags",                           "read",                          "Y Y Y Y - -"),
    ("Case tags",                           "create",                        "- Y Y Y - -"),
    ("Case tags",                           "change",                        "- Y Y Y - -"),
    ("Case tags",                           "delete",                        "- - Y Y - -"),
    ("Aged receivables",                    "read",                          "Y Y Y Y - -"),
    ("Expected cash-in",                    "read",                          "- Y Y Y - -"),
    ("Days sales outstanding",              "read",                          "- Y Y Y - -"),
    ("Customer dunning settings",           "read",                          "Y Y Y Y - -"),
    ("Customer dunning settings",           "block reminders, set collector", "- Y Y Y - -"),
    ("Customer dunning settings",           "change policy",                  "- - Y Y - -"),
]
# fmt: on


def matrix_cells():
    """{(what, action): {role: allowed}} from MATRIX."""
    cells = {}
    for what, action, flags in MATRIX:
        values = flags.split()
        assert len(values) == len(ROLES) and set(values) <= {"Y", "-"}, (what, action)
        assert (what, action) not in cells, f"{what} / {action} appears twice"
        cells[what, action] = {role: value == "Y" for role, value in zip(ROLES, values, strict=True)}
    return cells


def readme_matrix(text):
    """The access table of README.md's Security section: its first two column titles, and
    its rows as {(what, action): {role: allowed}} (a cell other than a check mark or a dash
    is kept as written, so that it differs from the matrix)."""
    section = text.split("\n## Security", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    roles = {label: role for role, label in ROLES.items()}
    columns = [roles[label] for label in header[2:]]
    cells = {}  # in the README's order
    for row in rows[2:]:
        what, action, *values = (cell.strip() for cell in row.strip("|").split("|"))
        assert (what, action) not in cells, f"README.md lists {what} / {action} twice"
        marks = {"\u2713": True, "\u2013": False}  # ✓ allowed, en dash refused
        cells[what, action] = {role: marks.get(value, value) for role, value in zip(columns, values, strict=True)}
    return header[:2], cells


@tagged("post_install", "-at_install")
class TestAccessMatrix(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {role: cls._role_user(role) for role in ROLES}
        # Who the records belong to: separate customers, so no fixture disturbs another.
        cls.planned = cls.env["res.partner"].create({"name": "Échelonné SARL", "is_company": True})
        cls.debtor = cls.env["res.partner"].create({"name": "Mauvais Payeur SAS", "is_company": True})
        cls.stranger = cls.env["res.partner"].create({"name": "Inconnu SARL", "is_company": True})
        cls.proposed = cls.env["res.partner"].create({"name": "Proposition SARL", "is_company": True})
        cls.agency = cls.env["res.partner"].create(
            {"name": "Recouvrement Express", "is_company": True, "is_collection_agency": True}
        )
        # A portal login of the customer with a plan.
        cls.users["portal"].partner_id.parent_id = cls.planned
        for partner, amount in ((cls.professional, 1000.0), (cls.planned, 900.0), (cls.proposed, 600.0)):
            cls.invoice(partner, amount, "2025-01-01")  # due 2025-01-31
        handed = [cls.invoice(cls.debtor, amount, "2025-01-01") for amount in (700.0, 300.0, 200.0)]
        cls.handed_lines = [cls._receivable(move) for move in handed]

        cls.run_done = cls.env["account.dunning.run"]._get_or_create(cls.company, date(2025, 2, 7))
        cls.run_done.send_letters = False
        cls.run_done.action_run()  # 7 days late: a first reminder to send, for each customer
        cls.run_draft = cls.env["account.dunning.run"].create(
            {"company_id": cls.company.id, "date": "2025-03-01", "send_letters": False}
        )
        Letter = cls.env["account.dunning.letter"]
        cls.letter = Letter.search([("partner_id", "=", cls.professional.id)])
        cls.case = cls.env["account.dunning.case"].search([("partner_id", "=", cls.professional.id)])

        Plan = cls.env["account.dunning.installment.plan"]
        with freeze_time("2025-02-20"):
            cls.plan_active = Plan.browse(cls.planned.action_propose_installment_plan()["res_id"])
            cls.plan_draft = Plan.browse(cls.proposed.action_propose_installment_plan()["res_id"])
            (cls.plan_active | cls.plan_draft).write({"first_date": "2025-03-01"})
            (cls.plan_active | cls.plan_draft).action_compute_schedule()
            cls.plan_active.action_confirm()

        Handoff = cls.env["account.dunning.handoff"]
        cls.handoff_sent, cls.handoff_draft = (
            Handoff.create(
                {
                    "partner_id": cls.debtor.id,
                    "agency_id": cls.agency.id,
                    "date": "2025-05-30",
                    "line_ids": [Command.create({"move_line_id": line.id})],
                }
            )
            for line in cls.handed_lines[:2]
        )
        with freeze_time("2025-05-30"):
            cls.handoff_sent.action_confirm()

        # Penalties invoiced once on an invoice of its own (due 2025-03-31).
        cls.penalized = cls.invoice(cls.stranger, 1200.0, "2025-03-01")
        cls.penalty_invoice = (
            cls.env["account.dunning.penalty.invoice"]
            .create({"move_ids": [Command.set(cls.penalized.ids)], "date": "2025-05-01"})
            ._create_penalty_invoices()
        )
        cls.penalty = cls.env["account.dunning.penalty"].search([("penalty_move_id", "=", cls.penalty_invoice.id)])

        # Configuration records of no use to anyone, free to change or delete.
        cls.spare_policy = cls.env["account.dunning.policy"].create(
            {
                "name": "Spare policy",
                "level_ids": [
                    Command.create({"sequence": 10, "name": "Spare level", "delay_days": 10, "channel": "email"})
                ],
            }
        )
        cls.rate = cls.env["account.dunning.rate"].create(
            {"rate_type": "ecb_mro", "date_from": "2031-01-01", "rate": 2}
        )
        cls.stage = cls.env["account.dunning.stage"].create({"name": "Spare stage", "sequence": 99})
        cls.late_cause = cls.env["account.dunning.late.cause"].create({"name": "Spare cause"})
        cls.case_tag = cls.env["account.dunning.case.tag"].create({"name": "Spare tag"})
        cls.first_level = cls.levels.filtered(lambda level: level.delay_days == 7)

    @classmethod
    def _receivable(cls, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _role_user(cls, role):
        groups = {
            "invoicing": "account.group_account_invoice",
            "collector": "account_dunning.group_dunning_collector",
            "manager": "account_dunning.group_dunning_manager",
            "accountant": "account.group_account_manager",
            "portal": "base.group_portal",
            "public": "base.group_public",
        }[role]
        return cls.env["res.users"].create(
            {
                "name": f"Matrix {role}",
                "login": f"matrix_{role}",
                "email": f"{role}@matrix.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(cls.env.ref(groups).ids)],
            }
        )

    # ------------------------------------------------------------------
    # The actions: each returns (do, probe[, expected]): ``do(env)`` acts as the role,
    # ``probe()`` reads (as the superuser) what the action changes; an allowed action must
    # change it (to ``expected`` when given), a refused one must leave it as it was.
    # ------------------------------------------------------------------

    def _crud(self, records, op, vals=None):
        model = records._name
        if op == "read":

            def read(env):
                found = env[model].search([("id", "in", records.ids)])
                self.assertEqual(found, records.with_env(env), "the role finds the record")
                self.assertTrue(found.read(["display_name"])[0]["display_name"])

            return read, None
        if op == "create":
            before = set(self.env[model].sudo().search([]).ids)

            def created():
                return sorted(set(self.env[model].sudo().search([]).ids) - before)

            return lambda env: env[model].create(vals), created
        if op == "change":
            fields = list(vals)
            return lambda env: records.with_env(env).write(vals), lambda: records.sudo().read(fields)
        if op == "delete":
            return lambda env: records.with_env(env).unlink(), lambda: bool(records.sudo().exists())
        raise AssertionError(op)

    def _case_action(self, what, action):
        """The (do, probe[, expected]) of one row: each kind of record has its method."""
        method = {
            "Policies": self._policies,
            "Levels": self._levels,
            "Reference rates": self._rates,
            "Case stages": self._stages,
            "Late causes": self._late_causes,
            "Runs": self._runs,
            "Letters": self._letters,
            "Letter lines": self._letter_lines,
            "Invoiced penalty periods": self._penalties,
            "Invoice penalties (wizard)": self._penalty_wizard,
            "Installment plans": self._plans,
            "Installments": self._installments,
            "Hand-offs": self._handoffs,
            "Hand-off lines": self._handoff_lines,
            "Collection cases": self._cases,
            "Log a call (wizard)": self._calls,
            "Case tags": self._case_tags,
            "Aged receivables": self._aging,
            "Expected cash-in": self._forecast,
            "Days sales outstanding": self._dso,
            "Customer dunning settings": self._partner_settings,
        }[what]
        return method(action, action.split(" (")[0])

    def _policies(self, action, crud):
        vals = {"create": {"name": "Matrix policy"}, "change": {"promise_grace_days": 9}}
        return self._crud(self.spare_policy, crud, vals.get(crud))

    def _levels(self, action, crud):
        vals = {
            "create": {"policy_id": self.spare_policy.id, "sequence": 20, "name": "New", "delay_days": 30},
            "change": {"min_gap_days": 4},
        }
        return self._crud(self.spare_policy.level_ids, crud, vals.get(crud))

    def _rates(self, action, crud):
        vals = {"create": {"rate_type": "ecb_mro", "date_from": "2032-01-01", "rate": 3}, "change": {"rate": 2.5}}
        return self._crud(self.rate, crud, vals.get(crud))

    def _stages(self, action, crud):
        return self._crud(self.stage, crud, {"create": {"name": "New stage"}, "change": {"fold": True}}.get(crud))

    def _late_causes(self, action, crud):
        vals = {"create": {"name": "New cause"}, "change": {"sequence": 3}}
        return self._crud(self.late_cause, crud, vals.get(crud))

    def _runs(self, action, crud):
        if action == "Run now":
            return lambda env: self.run_draft.with_env(env).action_run(), lambda: self.run_draft.sudo().state, "done"
        vals = {"create": {"company_id": self.company.id, "date": "2025-03-03"}, "change": {"send_letters": True}}
        return self._crud(self.run_draft if crud != "read" else self.run_done, crud, vals.get(crud))

    def _letters(self, action, crud):
        if crud == "Send":
            invoicing = action == "Send (level invoicing penalties)"
            self.letter.level_id.sudo().invoice_penalties = invoicing

            def send(env):
                with freeze_time("2025-02-10"):
                    self.letter.with_env(env).action_send()

            def sent_and_invoiced():
                periods = (
                    self.env["account.dunning.penalty"]
                    .sudo()
                    .search_count([("move_id", "in", self.letter.line_ids.move_id.ids)])
                )
                return self.letter.sudo().state, periods

            # 1,000 due 2025-01-31, sent on 2025-02-10: its interest and indemnity are invoiced
            # (one penalty period) only by a level that invoices penalties.
            return send, sent_and_invoiced, ("sent", int(invoicing))
        if action == "change (sent)":
            self.letter.sudo()._dunning_mark_sent()
        vals = {
            "create": {"partner_id": self.professional.id, "level_id": self.first_level.id, "date": "2025-03-05"},
            "change": {"date": "2025-02-08"},
        }
        return self._crud(self.letter, crud, vals.get(crud))

    def _letter_lines(self, action, crud):
        line = self.letter.line_ids[:1]
        if action.endswith("(sent letter)"):
            self.letter.sudo()._dunning_mark_sent()
        vals = {
            "create": {
                "letter_id": self.letter.id,
                "move_line_id": line.move_line_id.id,
                "level_id": self.first_level.id,
                "date_maturity": "2025-01-31",
                "amount_due": 10.0,
            },
            "change": {"amount_due": 999.0},
        }
        return self._crud(line, crud, vals.get(crud))

    def _penalties(self, action, crud):
        vals = {
            "create": {
                "move_line_id": self.penalty.move_line_id.id,
                "penalty_move_id": self.penalty_invoice.id,
                "date_from": "2025-05-02",
                "date_to": "2025-05-10",
            },
            "change": {"date_to": "2025-04-30"},
        }
        return self._crud(self.penalty, crud, vals.get(crud))

    def _penalty_wizard(self, action, crud):
        vals = {"move_ids": [Command.set(self.penalized.ids)], "date": "2025-06-01"}
        if action == "open":
            return self._crud(self.env["account.dunning.penalty.invoice"], "create", vals)

        def count_periods():
            return self.env["account.dunning.penalty"].sudo().search_count([("move_id", "=", self.penalized.id)])

        return lambda env: env["account.dunning.penalty.invoice"].create(vals).action_create_invoices(), count_periods

    def _plans(self, action, crud):
        plan = self.plan_active if crud == "read" else self.plan_draft
        if crud == "Confirm":
            freeze = action == "Confirm (penalties frozen)"
            plan.sudo().penalty_mode = "freeze" if freeze else "waive"

            def confirm(env):
                with freeze_time("2025-02-20"):
                    plan.with_env(env).action_confirm()

            def confirmed():
                return plan.sudo().state, bool(plan.sudo().penalty_invoice_id)

            # 600 due 2025-01-31, 20 days late on 2025-02-20: freezing invoices its penalties
            # (600 x 13.15 % x 20 / 365 = 4.32, plus 40) and adds them to the plan.
            return confirm, confirmed, ("active", freeze)
        vals = {"create": {"partner_id": self.stranger.id}, "change": {"tolerance_days": 10}}
        return self._crud(plan, crud, vals.get(crud))

    def _installments(self, action, crud):
        if crud == "Reschedule":
            # The last of the 3 x 300.00 installments (03-01, 04-01, 05-01) moves a fortnight.
            def reschedule(env):
                plan = self.plan_active.with_env(env)
                with freeze_time("2025-03-10"):
                    plan._amend_installments({plan.line_ids[-1]: {"date_due": "2025-05-15"}})

            return reschedule, lambda: str(self.plan_active.sudo().line_ids[-1].date_due), "2025-05-15"
        plan = self.plan_active if crud == "read" or action.endswith("(confirmed plan)") else self.plan_draft
        vals = {"create": {"plan_id": plan.id, "date_due": "2025-09-01", "amount": 10.0}, "change": {"amount": 150.0}}
        return self._crud(plan.line_ids[:1], crud, vals.get(crud))

    def _handoffs(self, action, crud):
        buttons = {
            "Confirm": (self.handoff_draft, "action_confirm", "sent"),
            "Write off": (self.handoff_sent, "action_write_off", "closed"),
            "Cancel (draft)": (self.handoff_draft, "action_cancel", "cancelled"),
            "Cancel (sent to the agency)": (self.handoff_sent, "action_cancel", "cancelled"),
        }
        if action in buttons:
            handoff, method, expected = buttons[action]

            def button(env):
                with freeze_time("2025-06-30"):
                    getattr(handoff.with_env(env), method)()

            return button, lambda: handoff.sudo().state, expected
        vals = {
            "create": {
                "partner_id": self.debtor.id,
                "agency_id": self.agency.id,
                "line_ids": [Command.create({"move_line_id": self.handed_lines[2].id})],
            },
            "change": {"commission_rate": 12.0},
        }
        return self._crud(self.handoff_sent if crud == "read" else self.handoff_draft, crud, vals.get(crud))

    def _handoff_lines(self, action, crud):
        sent = action in ("read", "create (sent hand-off)", "change (sent hand-off)", "delete (sent hand-off)")
        handoff = self.handoff_sent if sent else self.handoff_draft
        vals = {
            "create": {"handoff_id": handoff.id, "move_line_id": self.handed_lines[2].id},
            "change": {"principal": 1.0} if action == "change (sent hand-off)" else {"to_record": 50.0},
        }
        return self._crud(handoff.line_ids, crud, vals.get(crud))

    def _cases(self, action, crud):
        if action == "Make the next letter":

            def next_letter(env):
                with freeze_time("2025-02-27"):
                    self.case.with_env(env).action_send_next_letter()

            # 27 days late on 2025-02-27: the second reminder (20 days) is due.
            return next_letter, lambda: self.letters(self.professional).level_id.mapped("delay_days")
        if action == "Block reminders":
            vals = {"dunning_blocked": True, "dunning_block_reason": "Disputes the last delivery"}
            return lambda env: self.case.with_env(env).write(vals), lambda: self.professional.sudo().read(list(vals))
        vals = {
            "create": {"partner_id": self.stranger.id, "company_id": self.company.id},
            "change": {"next_action": "Call on Monday"},
        }
        return self._crud(self.case, crud, vals.get(crud))

    def _calls(self, action, crud):
        vals = {"case_id": self.case.id, "outcome": "no_answer", "next_action": "Call back"}
        if action == "open":
            return self._crud(self.env["account.dunning.call"], "create", vals)
        return lambda env: env["account.dunning.call"].create(vals).action_log(), lambda: self.case.sudo().next_action

    def _case_tags(self, action, crud):
        # A new tag draws a colour at random: change it to another one, whatever it drew.
        vals = {"create": {"name": "Matrix tag"}, "change": {"color": self.case_tag.color % 11 + 1}}
        return self._crud(self.case_tag, crud, vals.get(crud))

    def _forecast(self, action, crud):
        expected = self.env["account.dunning.forecast"].search([("move_line_id", "=", self.handed_lines[2].id)])
        return self._crud(expected, "read")

    def _dso(self, action, crud):
        return self._crud(
            self.env["account.dunning.dso"].search([("company_id", "=", self.company.id)], limit=1), "read"
        )

    def _aging(self, action, crud):
        aging = self.env["account.dunning.aging"].search([("move_line_id", "=", self.handed_lines[2].id)])
        return self._crud(aging, "read")

    def _partner_settings(self, action, crud):
        # The portal customer's own company: what refuses is the field, not the record.
        partner = self.planned
        fields = ["dunning_blocked", "dunning_block_reason", "dunning_responsible_id", "dunning_policy_id"]
        if crud == "read":
            return lambda env: partner.with_env(env).read(fields), None
        if action == "change policy":
            vals = {"dunning_policy_id": self.spare_policy.id}
        else:
            # Collectors may not edit contacts, yet block reminders and say who chases.
            vals = {
                "dunning_blocked": True,
                "dunning_block_reason": "Disputes the last delivery",
                "dunning_responsible_id": self.users["collector"].id,
            }
        return lambda env: partner.with_env(env).write(vals), lambda: partner.sudo().read(list(vals))

    def _check_cell(self, role, what, action, allowed):
        do, probe, *expected = self._case_action(what, action)
        env = self.env(user=self.users[role], su=False)
        before = probe() if probe else None
        if allowed:
            do(env)
            if probe:
                after = probe()
                if expected:
                    self.assertEqual(after, expected[0])
                else:
                    self.assertNotEqual(after, before, "the action changed nothing")
            return
        with self.assertRaises(UserError) as refusal:  # AccessError is a UserError
            do(env)
        # A refusal for another reason (a wrong state, missing data) would hide a missing rule.
        if not isinstance(refusal.exception, AccessError):
            message = str(refusal.exception).lower()
            reasons = [
                reason
                for state, state_reasons in STATE_REASONS.items()
                if state in action
                for reason in ((state_reasons,) if isinstance(state_reasons, str) else state_reasons)
            ] or RIGHTS_REASONS
            self.assertTrue(
                any(words in message for words in reasons),
                f"{role} {action} on {what}: refused, but not for its rights: {refusal.exception}",
            )
        if probe:
            self.assertEqual(probe(), before, "a refused action left a change behind")

    def test_every_cell_of_the_matrix(self):
        for (what, action), roles in matrix_cells().items():
            for role, allowed in roles.items():
                with self.subTest(what=what, action=action, role=role, allowed=allowed):
                    # Every cell starts from the same records: what it did is rolled back.
                    with closing(self.env.cr.savepoint()):
                        self._check_cell(role, what, action, allowed)
                    self.env.invalidate_all()

    def test_refusals_say_why(self):
        """The guarded actions refuse with a message naming the rule, before changing anything."""
        collector = self.users["collector"]
        self.letter.level_id.invoice_penalties = True
        with freeze_time("2025-02-10"), self.assertRefused(UserError, "a dunning manager sends them"):
            self.letter.with_user(collector).action_send()
        self.assertEqual(self.letter.state, "to_send")
        self.plan_draft.penalty_mode = "freeze"
        with freeze_time("2025-02-20"), self.assertRefused(UserError, "only a dunning manager can confirm this plan"):
            self.plan_draft.with_user(collector).action_confirm()
        self.assertEqual(self.plan_draft.state, "draft")
        with self.assertRefused(UserError, "withdraw a hand-off"):
            self.handoff_sent.with_user(collector).action_cancel()
        self.assertEqual(self.handoff_sent.state, "sent")
        with self.assertRefused(UserError, "can no longer be added or removed"):
            self.handoff_sent.line_ids.unlink()
        with self.assertRefused(UserError, "can no longer be added or removed"):
            self.env["account.dunning.handoff.line"].create(
                {"handoff_id": self.handoff_sent.id, "move_line_id": self.handed_lines[2].id}
            )
        self.assertEqual(len(self.handoff_sent.line_ids), 1)
        self.letter._dunning_mark_sent()
        with self.assertRefused(UserError, "its lines cannot be removed"):
            self.letter.line_ids.unlink()
        self.assertEqual(len(self.letter.line_ids), 1)

    def test_other_internal_users_cannot_stop_reminders(self):
        """A user who may edit contacts (sales, say) but not invoices can neither block a
        customer's reminders nor change who chases it; the rest of the contact stays theirs."""
        groups = self.env.ref("base.group_user") | self.env.ref("base.group_partner_manager")
        contacts = self.env["res.users"].create(
            {"name": "Sales Rep", "login": "matrix_sales", "group_ids": [Command.set(groups.ids)]}
        )
        partner = self.planned.with_user(contacts)
        partner.phone = "+33 1 23 45 67 89"
        self.assertEqual(self.planned.phone, "+33 1 23 45 67 89")
        for vals in (
            {"dunning_blocked": True, "dunning_block_reason": "Friend of the boss"},
            {"dunning_responsible_id": contacts.id},
            {"dunning_policy_id": self.spare_policy.id},
            {"is_collection_agency": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                partner.write(vals)
        with self.assertRaises(AccessError):
            partner.read(["dunning_letter_count"])
        self.assertFalse(self.planned.dunning_blocked)
        self.assertFalse(self.planned.dunning_responsible_id)

    def test_accounting_managers_are_dunning_managers(self):
        self.assertTrue(self.users["accountant"].has_group("account_dunning.group_dunning_manager"))
        self.assertTrue(self.users["manager"].has_group("account_dunning.group_dunning_collector"))
        self.assertTrue(self.users["collector"].has_group("account.group_account_invoice"))
        self.assertFalse(self.users["invoicing"].has_group("account_dunning.group_dunning_collector"))

    def test_readme_shows_this_matrix(self):
        readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
        header, cells = readme_matrix(readme)
        self.assertEqual(header, ["Records", "Action"])
        self.assertEqual(cells, matrix_cells(), "README.md's access table and MATRIX disagree")
        self.assertEqual(list(cells), list(matrix_cells()), "README.md lists the rows in MATRIX's order")
