import logging
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_round
from odoo.tools.misc import format_date, formatLang

from ..law import clause as clause_lib
from ..law import regimes
from ..law.rates import MissingRateError
from .penalty_tools import to_decimal

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MovePenalty:
    """What an invoice owes in penalties on a date, not yet invoiced."""

    regime: str
    interest: float
    indemnity: float
    lines: list
    error: Exception | None


@dataclass(frozen=True)
class InvoiceFacts:
    """What an invoice's penalties need of the invoice itself, besides its installments:
    ``currency`` and ``company`` are records, ``amount_residual`` is in the invoice currency."""

    id: int
    currency: object
    company: object
    amount_residual: float
    commercial_partner_id: int


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_excluded = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="A disputed invoice is never reminded until the dispute is cleared.",
    )
    dunning_exclusion_reason = fields.Char(string="Dispute reason", copy=False, tracking=True)
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning level",
        compute="_compute_dunning_state",
        store=True,
        help="The highest level sent for this invoice's receivable lines.",
    )
    dunning_last_date = fields.Date(string="Last reminded on", compute="_compute_dunning_state", store=True)
    dunning_formal_notice_date = fields.Date(string="Formal notice on", compute="_compute_dunning_state", store=True)

    late_interest_amount = fields.Monetary(
        string="Late-payment interest",
        compute="_compute_late_penalty_fields",
        currency_field="currency_id",
        help="Interest the law lets you claim today for this invoice's delay, not yet invoiced. "
        "It keeps the interest of a delay after the invoice is paid, until it is invoiced.",
    )
    late_indemnity_amount = fields.Monetary(
        string="Recovery indemnity",
        compute="_compute_late_penalty_fields",
        currency_field="currency_id",
        help="Fixed recovery indemnity (EUR 40 per late invoice for professionals) or, for "
        "Belgian consumers, the capped damages; not yet invoiced.",
    )
    late_penalty_details = fields.Html(
        string="Interest details", compute="_compute_late_penalty_fields", sanitize=False
    )
    late_penalty_error = fields.Char(compute="_compute_late_penalty_fields")
    is_dunning_penalty = fields.Boolean(
        string="Penalty invoice", readonly=True, copy=False, help="This invoice bills late-payment penalties."
    )
    dunning_penalty_ids = fields.One2many("account.dunning.penalty", "move_id", string="Invoiced penalties")

    @api.depends("line_ids.dunning_level_id", "line_ids.dunning_last_date", "line_ids.dunning_formal_notice_date")
    def _compute_dunning_state(self):
        for move in self:
            terms = move.line_ids.filtered("dunning_level_id")
            last = terms.sorted(lambda line: (line.dunning_level_id.delay_days, line.dunning_last_date))[-1:]
            move.dunning_level_id = last.dunning_level_id
            move.dunning_last_date = max(terms.mapped("dunning_last_date"), default=False)
            move.dunning_formal_notice_date = min(
                [date for date in terms.mapped("dunning_formal_notice_date") if date], default=False
            )

    @api.constrains("dunning_excluded", "dunning_exclusion_reason")
    def _check_dunning_exclusion_reason(self):
        for move in self:
            if move.dunning_excluded and not (move.dunning_exclusion_reason or "").strip():
                raise ValidationError(self.env._("Say why invoice %(invoice)s is disputed.", invoice=move.display_name))

    # ------------------------------------------------------------------
    # Late-payment penalties
    # ------------------------------------------------------------------

    def _compute_late_penalties(self, on_date=None):
        """Interest and indemnity the law lets the company claim for each invoice on
        ``on_date`` (default today) and not yet invoiced: ``{move_id: MovePenalty}``."""
        on_date = on_date or fields.Date.context_today(self)
        # No interest on penalty invoices themselves (no compounding of interest).
        # Read only what the law needs: the whole of account.move(.line) rows is heavy at
        # 100,000 invoices.
        invoices = self.search_fetch(
            [
                ("id", "in", [move_id for move_id in self.ids if isinstance(move_id, int)]),
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("state", "=", "posted"),
                ("is_dunning_penalty", "=", False),
            ],
            ["currency_id", "company_id", "amount_residual", "commercial_partner_id"],
        )
        terms = self.env["account.move.line"].search_fetch(
            [
                ("move_id", "in", invoices.ids),
                ("display_type", "=", "payment_term"),
                ("account_type", "=", "asset_receivable"),
            ],
            [
                "move_id",
                "partner_id",
                "company_id",
                "currency_id",
                "amount_currency",
                "date_maturity",
                "dunning_formal_notice_date",
                "dunning_plan_id",
            ],
            order="move_id, date_maturity, id",
        )
        terms_by_move = terms.grouped("move_id")
        return self._dunning_move_penalties(
            [
                InvoiceFacts(
                    move.id, move.currency_id, move.company_id, move.amount_residual, move.commercial_partner_id.id
                )
                for move in invoices
            ],
            {move.id: list(lines) for move, lines in terms_by_move.items()},
            terms._dunning_penalties(on_date),
            on_date,
        )

    @api.model
    def _dunning_move_penalties(self, invoices, terms_by_move, by_line, on_date, policies=None):
        """Each invoice's ``MovePenalty`` from its installments' ``LinePenalty``: interest summed
        and rounded by the invoice currency, the indemnity once per late invoice not yet
        invoiced. ``invoices``: ``InvoiceFacts`` (invoices only: no penalty on penalty
        invoices); ``terms_by_move``: ``{move id: [receivable installment record]}`` sorted by
        due date then id, *all* of an invoice's installments (one late installment makes the
        invoice late); ``by_line``: ``{line id: LinePenalty}``; ``policies``: ``{commercial
        partner id: policy}`` already known. One query, whatever the number of invoices."""
        indemnity_invoiced = {
            move.id
            for move, amount in self.env["account.dunning.penalty"]._read_group(
                [("move_id", "in", [facts.id for facts in invoices]), ("active_period", "=", True)],
                ["move_id"],
                ["indemnity_amount:sum"],
            )
            if amount
        }
        eur = self.env.ref("base.EUR")
        converted = {}  # the fixed indemnity in each invoice currency, converted once
        results = {}
        for facts in invoices:
            lines = terms_by_move.get(facts.id, [])
            penalties = [by_line[line.id] for line in lines]
            error = next((penalty.error for penalty in penalties if penalty.error), None)
            regime = penalties[0].regime if penalties else "none"
            interest = float_round(
                sum(penalty.interest for penalty in penalties), precision_rounding=facts.currency.rounding
            )
            indemnity = 0.0
            late = any(penalty.late for penalty in penalties)
            if late and facts.id not in indemnity_invoiced:
                indemnity = self._dunning_indemnity(facts, regime, penalties, on_date, eur, converted, policies)
            results[facts.id] = MovePenalty(
                regime, interest, indemnity, [(line, by_line[line.id]) for line in lines], error
            )
        return results

    @api.model
    def _dunning_indemnity(self, facts, regime, penalties, on_date, eur, converted=None, policies=None):
        """The indemnity a late invoice (``InvoiceFacts``) owes under ``regime``."""
        company = facts.company
        if regime == "be_b2c":
            claimable = [penalty.claimable_from for penalty in penalties if penalty.claimable_from]
            if not claimable or min(claimable) > on_date or not facts.amount_residual:
                return 0.0
            # Book XIX: damages only as the terms stipulate them, capped by the scale. The
            # brackets are euro amounts: the balance is converted to euros, and the damages back
            # to the invoice currency, at the day they are computed for.
            policy = (policies or {}).get(facts.commercial_partner_id)
            if policy is None:
                policy = self.env["res.partner"].browse(facts.commercial_partner_id).sudo()._dunning_policy(company)
            balance_eur = facts.currency._convert(facts.amount_residual, eur, company, on_date, round=False)
            damages_eur = float(regimes.be_consumer_damages(to_decimal(balance_eur, eur), *policy._consumer_terms()))
            return eur._convert(damages_eur, facts.currency, company, on_date)
        amount = float(regimes.fixed_indemnity(regime))
        if not amount:
            return 0.0
        # The indemnity is a euro amount (D441-5): converted for an invoice in another currency.
        converted = {} if converted is None else converted
        key = (amount, facts.currency.id, company.id)
        if key not in converted:
            converted[key] = eur._convert(amount, facts.currency, company, on_date)
        return converted[key]

    @api.depends("line_ids.amount_residual", "line_ids.dunning_formal_notice_date", "partner_id")
    @api.depends_context("date")
    def _compute_late_penalty_fields(self):
        results = self._compute_late_penalties()
        for move in self:
            result = results.get(move.id)
            move.late_interest_amount = result.interest if result else 0.0
            move.late_indemnity_amount = result.indemnity if result else 0.0
            move.late_penalty_error = (
                move._dunning_rate_error_message(result.error) if result and result.error else False
            )
            move.late_penalty_details = move._dunning_penalty_details(result) if result else False

    def _dunning_rate_error_message(self, error):
        if error.rate_type == "ecb_mro":
            # The ECB series is fetched daily: what is missing is the confirmation of the rate in
            # force on the half-year's first day, not a figure someone forgot to type.
            return self.env._(
                "The ECB main refinancing rate in force on the first day of %(period)s is not confirmed: the daily "
                "fetch of the ECB's data confirms it, or add an entry dated that day in Invoicing > Configuration > "
                "Dunning > Reference rates. Penalties based on it cannot be computed until then.",
                period=error.period,
            )
        return self.env._(
            "The reference rate '%(rate)s' for %(period)s is missing: add it in Invoicing > Configuration > "
            "Dunning > Reference rates. Penalties cannot be computed until then.",
            rate=dict(self.env["account.dunning.rate"]._fields["rate_type"]._description_selection(self.env)).get(
                error.rate_type, error.rate_type
            ),
            period=error.period,
        )

    def _dunning_penalty_details(self, result):
        """A small table per interest segment: period, days, base, rate, amount."""
        rows = [
            Markup(
                "<tr><td>%s</td><td>%s - %s</td><td class='text-end'>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s %%</td><td class='text-end'>%s</td></tr>"
            )
            % (
                line.date_maturity,
                segment.date_from,
                segment.date_to,
                segment.days,
                formatLang(self.env, float(segment.base), currency_obj=self.currency_id),
                f"{segment.rate:.2f}",
                formatLang(self.env, self.currency_id.round(float(segment.amount)), currency_obj=self.currency_id),
            )
            for line, penalty in result.lines
            for segment in penalty.segments
        ]
        if not rows:
            return False
        header = Markup(
            "<table class='table table-sm o_dunning_penalty_details'><thead><tr><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Due date"),
            self.env._("Period"),
            self.env._("Days"),
            self.env._("Base"),
            self.env._("Rate"),
            self.env._("Interest"),
        )
        return header + Markup().join(rows) + Markup("</tbody></table>")

    def action_propose_installment_plan(self):
        """A plan for the selected invoices' open receivables (one customer, one currency)."""
        invoices = self.filtered(
            lambda move: move.move_type in ("out_invoice", "out_receipt") and move.state == "posted"
        )
        if len(invoices.commercial_partner_id) != 1 or len(invoices.currency_id) != 1 or len(invoices.company_id) != 1:
            raise UserError(self.env._("Select posted invoices of one customer, in one currency, to propose a plan."))
        # What these invoices still owe, by the one definition of a debt (an invoice in payment
        # or blocked owes nothing to plan).
        lines = self.env["account.move.line"].search(
            [
                *self.env["account.dunning.receivable"]._owed_domain(invoices.company_id),
                ("move_id", "in", invoices.ids),
                ("dunning_plan_id", "=", False),
            ]
        )
        if not lines:
            raise UserError(self.env._("These invoices have nothing left to pay outside a plan."))
        return invoices.commercial_partner_id._dunning_plan_action(invoices.company_id, invoices.currency_id, lines)

    # ------------------------------------------------------------------
    # Statutory clause printed on the invoice
    # ------------------------------------------------------------------

    def _dunning_statutory_clause(self):
        """The late-payment clause that fits this invoice's customer, in the environment's
        language: professionals read the due dates, the early-payment terms, the penalty rate
        and the indemnity written out (French Commercial Code L441-9), consumers neither rate
        nor indemnity.

        Whoever may read the invoice may print it (auditors, sales users, the customer on the
        portal): the customer's policy, the company's texts and the reference rates are read
        as superuser, and nothing but the clause comes out of them."""
        self.ensure_one()
        if self.move_type not in ("out_invoice", "out_receipt") or self.is_dunning_penalty:
            return ""
        company = self.company_id.sudo()
        policy = self.commercial_partner_id.sudo()._dunning_policy(company)
        regime = policy.penalty_regime or "none"
        if regime not in regimes.REGIMES or regime == "none":
            return ""
        capabilities = regimes.REGIMES[regime]
        terms = self.line_ids.filtered(lambda line: line.display_type == "payment_term").sorted(
            lambda line: (line.date_maturity or fields.Date.context_today(self), line.id)
        )
        first_due = terms[:1].date_maturity or self.invoice_date_due or self.invoice_date
        first_due = first_due or fields.Date.context_today(self)
        eur = self.env.ref("base.EUR")
        values = {
            # L441-9: the rate of the penalties due the day after the due date.
            "rate": self._dunning_clause_rate(regime, policy, first_due + timedelta(days=1)),
            "indemnity": formatLang(self.env, float(regimes.fixed_indemnity(regime)), currency_obj=eur),
            "due_date": self._dunning_clause_due_dates(terms, first_due),
            "discount": self._dunning_clause_discount(terms, capabilities.consumer),
        }
        field_name = "dunning_clause_consumer" if capabilities.consumer else "dunning_clause_professional"
        template = company[field_name] or ""
        default = self._dunning_default_clause(regime)
        try:
            text = clause_lib.fill_clause(template or default, values)
        except clause_lib.ClauseError as error:
            # Refused on save; a text stored another way (SQL, an older version) must not stop
            # every invoice from printing: the statutory text is printed instead.
            _logger.warning(
                "Invalid late-payment clause of company %s (%s): %s. The statutory text is printed instead.",
                company.id,
                self.env.lang,
                error,
            )
            template = ""
            text = clause_lib.fill_clause(default, values)
        if values["discount"] and not clause_lib.uses(template or default, "discount"):
            # The early-payment terms are a mandatory mention (L441-9): a company's own text
            # without the placeholder gets them after it.
            text = f"{text} {values['discount']}"
        if capabilities.has_fixed_indemnity and company.dunning_clause_higher_costs:
            text = f"{text} {self._dunning_clause_higher_costs(regime)}"
        return text

    def _dunning_clause_due_dates(self, terms, first_due):
        """The due date, or each installment's date and amount when there are several."""
        if len(terms) <= 1:
            return format_date(self.env, first_due)
        items = [
            f"{format_date(self.env, line.date_maturity)} "
            f"({formatLang(self.env, abs(line.amount_currency), currency_obj=self.currency_id)})"
            for line in terms
        ]
        return self.env._("%(dates)s and %(last)s", dates=", ".join(items[:-1]), last=items[-1])

    def _dunning_clause_discount(self, terms, consumer):
        """The early-payment discount of the payment terms, or (for professionals, a mandatory
        mention) that there is none."""
        payment_term = self.invoice_payment_term_id.sudo()
        line = terms[:1]
        if payment_term.early_discount and line.discount_date and line.discount_amount_currency:
            percent = payment_term.discount_percentage
            return self.env._(
                "Early payment discount: %(percent)s if paid by %(date)s (%(amount)s instead of %(total)s).",
                percent=self._dunning_format_percent(percent, digits=0 if float(percent).is_integer() else 2),
                date=format_date(self.env, line.discount_date),
                amount=formatLang(self.env, abs(line.discount_amount_currency), currency_obj=self.currency_id),
                total=formatLang(self.env, abs(line.amount_currency), currency_obj=self.currency_id),
            )
        return "" if consumer else self.env._("No discount for early payment.")

    def _dunning_clause_higher_costs(self, regime):
        """L441-10 II (and its Belgian and EU equivalents): costs above the fixed indemnity may
        be claimed on proof."""
        references = {
            "fr_b2b": self.env._("French Commercial Code, article L441-10 II"),
            "be_b2b": self.env._("law of 2 August 2002, article 6"),
            "eu_b2b": self.env._("Directive 2011/7/EU, article 6"),
            "fr_public": self.env._("French public procurement code, articles R2192-32 to R2192-35"),
        }
        return self.env._(
            "If the recovery costs incurred exceed this indemnity, additional compensation may be claimed on "
            "proof (%(reference)s).",
            reference=references.get(regime, references["eu_b2b"]),
        )

    def _dunning_format_percent(self, value, digits=2):
        """A percentage in the environment's language: 12.15 % in English, 12,15 % in French."""
        return f"{formatLang(self.env, value, digits=digits)} %"

    def _dunning_clause_rate(self, regime, policy, day):
        """The penalty rate as its basis and its figure for ``day``'s half-year, e.g. "the ECB
        main refinancing rate + 10 points, i.e. 12.15 % for the first half of 2025"; the basis
        alone while that half-year's reference rate is not known yet."""
        if policy.contractual_rate and regime not in ("fr_b2c",):
            return self.env._(
                "the contractual rate of %(rate)s per year", rate=self._dunning_format_percent(policy.contractual_rate)
            )
        table = self.env["account.dunning.rate"]._rate_table()
        bases = {
            "fr_b2b": (self.env._("the ECB main refinancing rate + 10 points"), table.fr_b2b_default_rate),
            "eu_b2b": (self.env._("the ECB main refinancing rate + 8 points"), table.eu_b2b_default_rate),
            "be_b2b": (self.env._("the Belgian statutory late-payment rate"), table.be_late_payment_rate),
            "fr_b2c": (self.env._("the legal interest rate"), table.fr_legal_rate),
            # R2192-31: ``day`` is the first day of interest, whose half-year fixes the rate.
            "fr_public": (self.env._("the ECB main refinancing rate + 8 points"), table.fr_public_rate),
        }
        if regime not in bases:
            return self.env._("the statutory rate")
        basis, rate_of = bases[regime]
        try:
            rate = rate_of(day)
        except MissingRateError:
            return basis
        figure = self._dunning_format_percent(float(rate))
        if day.month <= 6:
            return self.env._(
                "%(basis)s, i.e. %(rate)s for the first half of %(year)s", basis=basis, rate=figure, year=day.year
            )
        return self.env._(
            "%(basis)s, i.e. %(rate)s for the second half of %(year)s", basis=basis, rate=figure, year=day.year
        )

    def _dunning_default_clause(self, regime):
        texts = {
            "fr_b2b": self.env._(
                "Payment due on {due_date}. {discount} Any late payment makes late-payment penalties due, without a "
                "reminder being necessary, at {rate}, from the day after the due date (French Commercial Code, "
                "article L441-10), plus a fixed recovery indemnity of {indemnity} (article D441-5)."
            ),
            "be_b2b": self.env._(
                "Payment due on {due_date}. {discount} Any late payment makes interest due, without notice, at "
                "{rate} (law of 2 August 2002), plus a fixed recovery indemnity of {indemnity}."
            ),
            "eu_b2b": self.env._(
                "Payment due on {due_date}. {discount} Any late payment makes interest due at {rate} (Directive "
                "2011/7/EU), plus a fixed recovery indemnity of {indemnity}."
            ),
            "fr_b2c": self.env._(
                "Payment due on {due_date}. In case of late payment, interest at the legal rate may be claimed "
                "after a formal notice."
            ),
            "fr_public": self.env._(
                "Payment due on {due_date}. {discount} Any late payment makes late-payment interest due by law, "
                "from the day after the payment deadline and for the whole delay, at {rate} (French public "
                "procurement code, article R2192-31), plus a fixed recovery indemnity of {indemnity} (articles "
                "R2192-32 to R2192-35)."
            ),
            "be_b2c": self.env._(
                "Payment due on {due_date}. In case of late payment, you will first receive a free reminder giving "
                "you at least 14 days to pay; after that period, the interest and damages allowed by the Code of "
                "Economic Law (Book XIX) may be claimed."
            ),
        }
        return texts.get(regime, "")
