from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_repr

from ..analytics import behaviour as behaviour_lib
from ..law import clause as clause_lib


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_professional_id = fields.Many2one(
        "account.dunning.policy",
        string="Default policy for professionals",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'professional')]",
    )
    dunning_policy_consumer_id = fields.Many2one(
        "account.dunning.policy",
        string="Default policy for consumers",
        domain="[('company_id', '=', id), ('customer_kind', '=', 'consumer')]",
    )
    dunning_min_gap_days = fields.Integer(
        string="Minimum days between two letters",
        default=7,
        help="A customer is not sent a new letter if they received one in the last N days.",
    )
    dunning_auto_send = fields.Boolean(
        string="Daily run sends letters",
        default=False,
        help="Off at installation and for every new company: the daily run prepares the letters and they "
        "wait in 'To send' for a collector to review and send them. A dunning manager switches this on "
        "after reviewing a first run; from then on the daily run sends the letters of levels marked "
        "'Send automatically' by itself.",
    )

    dunning_interest_account_id = fields.Many2one(
        "account.account",
        string="Late-payment interest account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of invoiced late-payment interest (French chart: 763100).",
    )
    dunning_indemnity_account_id = fields.Many2one(
        "account.account",
        string="Recovery indemnity account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of invoiced recovery indemnities (French chart: 758000).",
    )
    dunning_penalty_journal_id = fields.Many2one(
        "account.journal",
        string="Penalty journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of penalty invoices (default: the first sales journal).",
    )
    dunning_commission_account_id = fields.Many2one(
        "account.account",
        string="Collection commission account",
        check_company=True,
        help="Expense account of collection agencies' fees (French chart: 622600).",
    )
    dunning_write_off_account_id = fields.Many2one(
        "account.account",
        string="Irrecoverable receivables account",
        check_company=True,
        help="Expense account of receivables written off (French chart: 654100).",
    )
    dunning_clause_professional = fields.Text(
        string="Late-payment clause (professionals)",
        translate=True,
        help="Printed on invoices to professional customers; empty for the statutory text of the regime. "
        "Placeholders: {rate} (the penalty rate, its basis and its figure), {indemnity} (the fixed recovery "
        "indemnity), {due_date} (the due date, or each installment's date and amount) and {discount} (the "
        "early-payment discount, or that there is none; added at the end when the text does not use it). "
        "No other placeholder is accepted; write {{ or }} to print a brace.",
    )
    dunning_clause_consumer = fields.Text(
        string="Late-payment clause (consumers)",
        translate=True,
        help="Printed on invoices to consumers (no indemnity, no professional rate); empty for the statutory "
        "text. Same placeholders as for professionals: {rate}, {indemnity}, {due_date} and {discount}.",
    )
    dunning_clause_higher_costs = fields.Boolean(
        string="Mention higher recovery costs",
        default=True,
        help="Invoices to professionals add that recovery costs above the fixed indemnity may be claimed on "
        "proof (French Commercial Code L441-10 II, law of 2 August 2002 art. 6, Directive 2011/7/EU art. 6).",
    )
    dunning_risk_avg_days_late = fields.Integer(
        string="Risk: average days late above",
        default=15,
        help="A customer whose payments of the last twelve months were more than this many days late on "
        "average (weighted by amount) is at risk. 0: not used.",
    )
    dunning_risk_late_share = fields.Float(
        string="Risk: share paid late above (%)",
        digits=(5, 1),
        default=50.0,
        help="A customer who paid more than this percentage of their installments late in the last twelve "
        "months is at risk. 0: not used.",
    )
    dunning_risk_overdue_days = fields.Integer(
        string="Risk: overdue for more than",
        default=60,
        help="A customer with a receivable overdue for more than this many days is at risk. 0: not used.",
    )

    _dunning_min_gap_positive = models.Constraint(
        "CHECK (dunning_min_gap_days >= 0)", "The minimum gap between letters cannot be negative."
    )

    _dunning_risk_thresholds_valid = models.Constraint(
        "CHECK (dunning_risk_avg_days_late >= 0 AND dunning_risk_overdue_days >= 0 "
        "AND dunning_risk_late_share >= 0 AND dunning_risk_late_share <= 100)",
        "Risk thresholds are positive days, and a share between 0 and 100%.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policies()
        return companies

    def write(self, vals):
        old_countries = {company: company.country_id for company in self} if "country_id" in vals else {}
        res = super().write(vals)
        if old_countries:
            self._dunning_follow_country(old_countries)
        if {"dunning_risk_avg_days_late", "dunning_risk_late_share", "dunning_risk_overdue_days"} & set(vals):
            # The board's risk flags follow new thresholds at once, not at the next daily run.
            Case = self.env["account.dunning.case"].sudo()
            today = fields.Date.context_today(self)
            for company in self:
                Case.search([("company_id", "=", company.id)])._refresh_payment_behaviour(company, today)
        return res

    @api.constrains("dunning_clause_professional", "dunning_clause_consumer")
    def _check_dunning_clauses(self):
        """A clause must fill in on every invoice, in every language it is translated into."""
        langs = dict(self.env["res.lang"].get_installed())
        for company in self:
            for field_name in ("dunning_clause_professional", "dunning_clause_consumer"):
                translations = self._fields[field_name]._get_stored_translations(company) or {}
                # The language being edited first: the message names the text the user just typed.
                for lang, text in sorted(translations.items(), key=lambda item: item[0] != self.env.lang):
                    if lang.startswith("_") or (lang not in langs and lang != "en_US"):
                        continue
                    company._dunning_check_clause(field_name, text, langs.get(lang, lang))

    def _update_field_translations(self, field_name, translations, digest=None, source_lang=""):
        # The translation dialog writes here, past the constraints: check before anything changes.
        if field_name in ("dunning_clause_professional", "dunning_clause_consumer"):
            langs = dict(self.env["res.lang"].get_installed())
            for lang, text in translations.items():
                if isinstance(text, str):
                    self._dunning_check_clause(field_name, text, langs.get(lang, lang))
        return super()._update_field_translations(field_name, translations, digest=digest, source_lang=source_lang)

    def _dunning_check_clause(self, field_name, text, language):
        try:
            clause_lib.check_clause(text)
        except clause_lib.ClauseError as error:
            allowed = ", ".join("{%s}" % name for name in clause_lib.PLACEHOLDERS)  # noqa: UP031
            clause = self._fields[field_name]._description_string(self.env)
            if error.malformed:
                message = self.env._(
                    "%(clause)s (%(language)s) has a brace that opens or closes nothing. Write placeholders as "
                    "{rate}, and a brace to print as {{ or }}. Allowed placeholders: %(allowed)s.",
                    clause=clause,
                    language=language,
                    allowed=allowed,
                )
            else:
                message = self.env._(
                    "%(clause)s (%(language)s) uses %(unknown)s, which is not a placeholder of the clause. "
                    "Allowed placeholders: %(allowed)s.",
                    clause=clause,
                    language=language,
                    unknown=", ".join(error.unknown),
                    allowed=allowed,
                )
            raise ValidationError(message) from error

    def _dunning_follow_country(self, old_countries):
        """A company whose country is set or changed after its default policies were made
        (created without a country, then completed): the defaults still on the old country's
        regime, without a contractual rate, follow the new country."""
        Policy = self.env["account.dunning.policy"].sudo()
        for company in self.sudo():
            old_country = old_countries.get(company)
            if old_country == company.country_id:
                continue
            for kind in ("professional", "consumer"):
                policy = company._dunning_default_policy(kind)
                old_regime = Policy._default_regime_for_country(old_country.code, kind)
                if policy and policy.penalty_regime == old_regime and not policy.contractual_rate:
                    policy.penalty_regime = Policy._default_regime_for_country(company.country_id.code, kind)

    def _dunning_fallback_user(self):
        """Who gets a dunning to-do nobody is responsible for: the company's first active dunning
        manager, else the administrator if that user still exists and is active, else the
        current user. Never fails: the administrator may have been deleted or archived."""
        self.ensure_one()
        group = self.env.ref("account_dunning.group_dunning_manager", raise_if_not_found=False)
        managers = (group.sudo().all_user_ids if group else self.env["res.users"]).filtered(
            lambda user: user.active and self in user.company_ids and not user.share and not user._is_superuser()
        )
        if managers:
            return managers.sorted("id")[:1]
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        if admin and admin.active and self in admin.company_ids:
            return admin
        return self.env.user

    def _dunning_thresholds(self):
        self.ensure_one()
        return behaviour_lib.Thresholds(
            avg_days_late=self.dunning_risk_avg_days_late,
            late_share=self.dunning_risk_late_share,
            overdue_days=self.dunning_risk_overdue_days,
        )

    def _dunning_assess_risk(self, behaviour, overdue_days):
        """The risk of a customer with this payment behaviour and oldest overdue days."""
        return behaviour_lib.assess_risk(
            behaviour.avg_days_late, behaviour.late_share, overdue_days, self._dunning_thresholds()
        )

    def _dunning_risk_text(self, risk):
        """Why a customer is at risk, in the user's language; empty when they are not."""
        texts = {
            "avg_days_late": lambda value, limit: self.env._(
                "pays %(days)s days late on average (threshold %(limit)s)", days=float_repr(value, 1), limit=limit
            ),
            "late_share": lambda value, limit: self.env._(
                "%(share)s%% of installments paid late (threshold %(limit)s%%)",
                share=float_repr(value, 0),
                limit=float_repr(limit, 0),
            ),
            "overdue_days": lambda value, limit: self.env._(
                "overdue for %(days)s days (threshold %(limit)s)", days=value, limit=limit
            ),
        }
        return "; ".join(texts[name](value, limit) for name, value, limit in risk.reasons)

    @api.constrains("dunning_policy_professional_id", "dunning_policy_consumer_id")
    def _check_dunning_policies(self):
        for company in self:
            (company.dunning_policy_professional_id | company.dunning_policy_consumer_id)._check_usable()

    def _dunning_ensure_default_policies(self):
        Policy = self.env["account.dunning.policy"].sudo()
        for company in self.sudo():
            vals = {}
            if not company.dunning_policy_professional_id:
                vals["dunning_policy_professional_id"] = Policy._create_default_policy(company, "professional").id
            if not company.dunning_policy_consumer_id:
                vals["dunning_policy_consumer_id"] = Policy._create_default_policy(company, "consumer").id
            if vals:
                company.write(vals)

    def _dunning_penalty_accounts(self):
        """Interest account, indemnity account and journal of penalty invoices: the settings,
        else the French chart's 763100 / 758000 and the first sales journal."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        domain = Account._check_company_domain(self)

        def by_code(code):
            return Account.search([*domain, ("code", "=", code)], limit=1)

        interest = self.dunning_interest_account_id or by_code("763100")
        indemnity = self.dunning_indemnity_account_id or by_code("758000")
        journal = self.dunning_penalty_journal_id or self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "sale")], limit=1
        )
        return interest, indemnity, journal

    def _dunning_handoff_accounts(self):
        """Commission expense, loss account and miscellaneous journal of hand-offs."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        domain = Account._check_company_domain(self)
        expense = self.dunning_commission_account_id or Account.search([*domain, ("code", "=", "622600")], limit=1)
        loss = self.dunning_write_off_account_id or Account.search([*domain, ("code", "=", "654100")], limit=1)
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "general")], limit=1
        )
        if not (expense and loss and journal):
            raise UserError(
                self.env._(
                    "Set the collection commission and irrecoverable receivables accounts in Invoicing > "
                    "Configuration > Settings > Dunning."
                )
            )
        return expense, loss, journal

    def _dunning_default_policy(self, kind):
        self.ensure_one()
        return self.dunning_policy_consumer_id if kind == "consumer" else self.dunning_policy_professional_id
