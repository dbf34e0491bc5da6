from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate

from ..engine import decision
from ..law.rates import MissingRateError, check_fr_contractual_rate
from .penalty_tools import to_decimal

_lt = LazyTranslate(__name__)

PENALTY_REGIMES = [
    ("fr_b2b", "France - professional customers (Code de commerce L441-10)"),
    ("fr_b2c", "France - consumers (legal rate after formal notice)"),
    ("be_b2b", "Belgium - professional customers (law of 2 August 2002)"),
    ("be_b2c", "Belgium - consumers (Code of Economic Law, Book XIX)"),
    ("eu_b2b", "EU - professional customers (Directive 2011/7/EU)"),
    ("fr_public", "France - public buyers (Code de la commande publique R2192-31)"),
    ("none", "No statutory penalties"),
]
CONSUMER_REGIMES = ("fr_b2c", "be_b2c", "none")
# Regimes whose penalties are owed by law and can be neither lowered nor waived (L2192-14).
UNWAIVABLE_REGIMES = ("fr_public",)

# The regime a new company's default policies follow, by country: the national regime where
# the addon has one, the Late Payment Directive (2011/7/EU) elsewhere in the EU, nothing
# outside it (nor for a company without a country): the directive binds EU creditors only.
DEFAULT_REGIMES_BY_COUNTRY = {
    "FR": {"professional": "fr_b2b", "consumer": "fr_b2c", "public": "fr_public"},
    "BE": {"professional": "be_b2b", "consumer": "be_b2c", "public": "be_b2b"},
}
EU_MEMBER_STATES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
# The directive covers public authorities as debtors too (art. 4).
DEFAULT_REGIMES_EU = {"professional": "eu_b2b", "consumer": "none", "public": "eu_b2b"}
DEFAULT_REGIMES_ELSEWHERE = {"professional": "none", "consumer": "none", "public": "none"}
# A promise to pay pauses the reminders: how far ahead one may be recorded, and the grace
# after it, are bounded (days).
PROMISE_HORIZON_DEFAULT = 60
PROMISE_HORIZON_MAX = 365
PROMISE_GRACE_MAX = 30

# Common French practice: a courtesy reminder before the due date, two reminders, a formal
# notice printable for registered mail, then a proposal to hand the file to an agency.
DEFAULT_LEVELS = [
    {
        "sequence": 10,
        "name": _lt("Courtesy reminder"),
        "delay_days": -5,
        "channel": "email",
        "auto_send": True,
        "tone": "courtesy",
    },
    {
        "sequence": 20,
        "name": _lt("First reminder"),
        "delay_days": 7,
        "channel": "email",
        "auto_send": True,
        "tone": "first",
    },
    {
        "sequence": 30,
        "name": _lt("Second reminder"),
        "delay_days": 20,
        "channel": "email",
        "auto_send": True,
        "apply_penalties": True,
        "tone": "firm",
    },
    {
        "sequence": 40,
        "name": _lt("Formal notice"),
        "delay_days": 45,
        "channel": "letter",
        "auto_send": False,
        "apply_penalties": True,
        "is_formal_notice": True,
        "tone": "formal_notice",
    },
    {
        "sequence": 50,
        "name": _lt("Collection hand-off proposal"),
        "delay_days": 60,
        "channel": "phone",
        "auto_send": False,
        "apply_penalties": True,
        "propose_handoff": True,
        "tone": "handoff",
    },
]


class AccountDunningPolicy(models.Model):
    _name = "account.dunning.policy"
    _description = "Dunning Policy"
    _order = "company_id, customer_kind, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    customer_kind = fields.Selection(
        [("professional", "Professionals"), ("consumer", "Consumers"), ("public", "Public buyers")],
        string="Customers",
        required=True,
        default="professional",
        help="Which customers this policy is written for; it decides the default policy of "
        "a customer and which penalty regimes make sense.",
    )
    penalty_regime = fields.Selection(
        PENALTY_REGIMES,
        required=True,
        default="none",
        help="The late-payment law applied to the customers of this policy.",
    )
    contractual_rate = fields.Float(
        string="Contractual rate (%)",
        digits=(16, 4),
        help="Late-payment interest rate agreed in your terms, in percent per year. Empty "
        "means the statutory default rate. In France it may not be lower than three times "
        "the legal interest rate of the half-year.",
    )
    consumer_clause = fields.Selection(
        [
            ("none", "No clause"),
            ("legal_maximum", "The maximum Book XIX allows"),
            ("custom", "A rate and damages of their own"),
        ],
        string="Terms on late payment",
        default="none",
        required=True,
        help="Belgian consumers (Code of Economic Law, Book XIX) owe interest and damages only as your general "
        "terms stipulate them. No clause: no damages, interest at the Belgian legal interest rate only. The "
        "maximum: the B2B late-payment rate and the damages scale (EUR 20 / 30 + 10 % / 65 + 5 %, at most "
        "EUR 2,000). Their own: the contractual rate and the damages below, each capped by the law.",
    )
    consumer_damages_fixed = fields.Float(
        string="Damages: fixed amount (EUR)",
        digits=(16, 2),
        help="Flat damages your terms stipulate, in euros, added to the share of the balance below; capped by "
        "the Book XIX scale.",
    )
    consumer_damages_percent = fields.Float(
        string="Damages: share of the balance (%)",
        digits=(16, 2),
        help="Damages your terms stipulate as a percentage of the balance due; capped by the Book XIX scale.",
    )
    recurring_contract = fields.Boolean(
        string="Recurring contracts",
        help="The customers of this policy are billed under a recurring contract (subscription, supply): under "
        "Book XIX the first three reminders of a calendar year are free, then a level's fee of at most "
        "EUR 7.50 plus postage may be charged. For other Belgian consumer contracts no reminder fee is charged.",
    )
    allow_level_skip = fields.Boolean(
        string="Skip to the highest level due",
        help="When a line is late enough for several levels at once (for example when the "
        "addon is installed on an old receivable), send directly the highest level due "
        "instead of going through each level in turn.",
    )
    promise_grace_days = fields.Integer(
        string="Grace after a promise (days)",
        default=2,
        help="Reminders pause until the promised date plus these days (0 to 30); then the promise is kept or broken.",
    )
    promise_horizon_days = fields.Integer(
        string="Promises up to (days ahead)",
        default=PROMISE_HORIZON_DEFAULT,
        help="A promise to pay may be recorded for a date at most this many days after today (1 to 365): "
        "further ahead, propose an installment plan instead.",
    )
    level_ids = fields.One2many("account.dunning.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    note = fields.Html(translate=True)

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("customer_kind", "penalty_regime")
    def _check_regime_fits_customers(self):
        for policy in self:
            if policy.customer_kind == "consumer" and policy.penalty_regime not in CONSUMER_REGIMES:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s is for consumers: it cannot use a regime meant for "
                        "professional customers (fixed indemnity, B2B rate).",
                        policy=policy.display_name,
                    )
                )
            if policy.penalty_regime == "fr_public" and policy.customer_kind != "public":
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the public procurement regime applies to public buyers only.",
                        policy=policy.display_name,
                    )
                )

    @api.constrains("promise_grace_days", "promise_horizon_days")
    def _check_promise_days(self):
        for policy in self:
            if not 0 <= policy.promise_grace_days <= PROMISE_GRACE_MAX:
                raise ValidationError(
                    self.env._(
                        "The grace after a promise to pay is between 0 and %(max)s days (policy %(policy)s).",
                        max=PROMISE_GRACE_MAX,
                        policy=policy.display_name,
                    )
                )
            if not 1 <= policy.promise_horizon_days <= PROMISE_HORIZON_MAX:
                raise ValidationError(
                    self.env._(
                        "Promises to pay may be recorded from 1 to %(max)s days ahead (policy %(policy)s): for a "
                        "longer delay, propose an installment plan.",
                        max=PROMISE_HORIZON_MAX,
                        policy=policy.display_name,
                    )
                )

    @api.constrains("consumer_damages_fixed", "consumer_damages_percent")
    def _check_consumer_damages(self):
        for policy in self:
            if policy.consumer_damages_fixed < 0 or not 0 <= policy.consumer_damages_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the damages of your terms are a positive amount and a share between 0 "
                        "and 100 %%.",
                        policy=policy.display_name,
                    )
                )

    def _consumer_terms(self):
        """What the Belgian consumer terms of this policy stipulate, as the law reads them:
        ``(clause, fixed damages, damages percent)``."""
        self.ensure_one()
        return (
            self.consumer_clause or "none",
            to_decimal(self.consumer_damages_fixed),
            to_decimal(self.consumer_damages_percent),
        )

    @api.constrains("contractual_rate", "penalty_regime", "consumer_clause")
    def _check_contractual_rate(self):
        """A French contractual rate may not be under three times the legal interest rate of
        the half-year (L441-10 II): refused for the current half-year, when the policy is set.
        For other half-years the engine applies the floor to the days concerned."""
        table = self.env["account.dunning.rate"]._rate_table()
        today = fields.Date.context_today(self)
        for policy in self:
            if policy.contractual_rate < 0:
                raise ValidationError(self.env._("A contractual rate cannot be negative."))
            if policy.penalty_regime == "fr_b2c" and policy.contractual_rate:
                raise ValidationError(
                    self.env._("French consumers owe the legal rate only: a consumer policy takes no contractual rate.")
                )
            if policy.penalty_regime == "be_b2c" and policy.contractual_rate and policy.consumer_clause != "custom":
                raise ValidationError(
                    self.env._(
                        "Belgian consumers owe a contractual rate only if your terms stipulate it (Book XIX): choose "
                        "'A rate and damages of their own' as the terms on late payment, or leave the rate empty."
                    )
                )
            if policy.penalty_regime == "fr_public" and policy.contractual_rate:
                raise ValidationError(
                    self.env._(
                        "French public buyers owe the rate set by the Code de la commande publique (ECB rate + 8 "
                        "points, R2192-31), which no contract may change: leave the contractual rate empty."
                    )
                )
            if policy.penalty_regime != "fr_b2b" or not policy.contractual_rate:
                continue
            try:
                violations = check_fr_contractual_rate(to_decimal(policy.contractual_rate), [today], table)
            except MissingRateError as error:
                raise ValidationError(
                    self.env._(
                        "The French legal interest rate of %(period)s is missing, so a contractual rate cannot be "
                        "checked against its floor: add it in Invoicing > Configuration > Dunning > Reference rates.",
                        period=error.period,
                    )
                ) from error
            if violations:
                period, floor = violations[0]
                raise ValidationError(
                    self.env._(
                        "A contractual rate of %(rate)s %% is under the legal floor of %(floor)s %% for %(period)s "
                        "(three times the French legal interest rate): use at least the floor, or leave the rate "
                        "empty for the statutory rate.",
                        rate=policy.contractual_rate,
                        floor=floor,
                        period=period,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_levels_used(self):
        # The database deletes the levels with their policy, without the levels' own check:
        # letters keep their level, so say it here rather than fail on the foreign key.
        self.level_ids._unlink_except_used()

    def write(self, vals):
        if "active" in vals and not vals["active"]:
            self._check_not_in_use()
        return super().write(vals)

    def _check_not_in_use(self):
        """A policy that customers or a company default rely on stays active: archiving it
        would silently stop their reminders."""
        for policy in self:
            company = policy.company_id
            defaults = (
                company.dunning_policy_professional_id
                | company.dunning_policy_consumer_id
                | company.dunning_policy_public_id
            )
            if policy in defaults:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s is a default policy of %(company)s: choose another default first.",
                        policy=policy.display_name,
                        company=company.name,
                    )
                )
            users = (
                self.env["res.partner"]
                .with_company(company)
                .search_count([("dunning_policy_id", "=", policy.id)], limit=1)
            )
            if users:
                raise ValidationError(
                    self.env._(
                        "Customers use policy %(policy)s: give them another policy before archiving it.",
                        policy=policy.display_name,
                    )
                )

    def _check_usable(self):
        """A policy is used by customers only once it has a level to send."""
        for policy in self:
            if not policy.level_ids:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s has no level: add at least one level before using it.",
                        policy=policy.display_name,
                    )
                )

    def _sorted_levels(self):
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.delay_days, level.sequence, level.id))

    def _level_steps(self):
        """The levels as the dunning decision sees them (``engine.decision.LevelStep``), by delay."""
        return [
            decision.LevelStep(level.id, level.delay_days, level._effective_min_gap(), level.min_amount)
            for level in self._sorted_levels()
        ]

    @api.model
    def _default_regime(self, company, kind):
        return self._default_regime_for_country(company.country_id.code, kind)

    @api.model
    def _default_regime_for_country(self, country_code, kind):
        """France and Belgium: their national regimes; other EU member states: the directive
        for professionals, nothing for consumers; outside the EU (or no country): nothing."""
        if country_code in DEFAULT_REGIMES_BY_COUNTRY:
            return DEFAULT_REGIMES_BY_COUNTRY[country_code].get(kind, "none")
        if country_code in EU_MEMBER_STATES:
            return DEFAULT_REGIMES_EU.get(kind, "none")
        return DEFAULT_REGIMES_ELSEWHERE.get(kind, "none")

    @api.model
    def _create_default_policy(self, company, kind):
        """Create the shipped policy of a customer kind for a company, translated in every
        installed language."""
        names = {
            "professional": _lt("Professional customers"),
            "consumer": _lt("Consumers"),
            "public": _lt("Public buyers"),
        }
        source = self.with_context(lang="en_US")
        level_vals = []
        for spec in DEFAULT_LEVELS:
            vals = {key: value for key, value in spec.items() if key != "tone"}
            level_name = spec["name"]
            vals["name"] = source.env._(level_name)
            vals["letter_intro"] = source.env["account.dunning.level"]._default_intro(spec["tone"], kind)
            if kind == "consumer":
                # Consumers owe no penalty wording before a formal notice, and no fee ever.
                vals["apply_penalties"] = spec.get("is_formal_notice", False)
            level_vals.append(vals)
        policy = source.with_company(company).create(
            {
                "name": source.env._(names[kind]),
                "company_id": company.id,
                "customer_kind": kind,
                "penalty_regime": self._default_regime(company, kind),
                "level_ids": [fields.Command.create(vals) for vals in level_vals],
            }
        )
        policy._translate_defaults(names[kind], kind)
        return policy

    def _translate_defaults(self, name_source, kind):
        """Give the shipped names and texts their translation in every active language."""
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        if not langs:
            return
        for policy in self:
            policy.update_field_translations(
                "name", {lang: self.with_context(lang=lang).env._(name_source) for lang in langs}
            )
            for level, spec in zip(policy._sorted_levels(), DEFAULT_LEVELS, strict=False):
                level_name = spec["name"]
                level.update_field_translations(
                    "name", {lang: self.with_context(lang=lang).env._(level_name) for lang in langs}
                )
                level.update_field_translations(
                    "letter_intro",
                    {lang: level.with_context(lang=lang)._default_intro(spec["tone"], kind) for lang in langs},
                )
