from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# A courtesy reminder makes sense a few days before the due date, not weeks before.
COURTESY_WINDOW_DAYS = 30


CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Printed letter"),
    ("phone", "Phone call"),
    ("none", "No communication"),
]


class AccountDunningLevel(models.Model):
    _name = "account.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "account.dunning.policy", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(default=10, required=True)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days after due date",
        required=True,
        default=7,
        help="When this level is due, counted from the due date of each receivable line. "
        "Negative: a courtesy reminder before the due date.",
    )
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="email",
        help="E-mail: sent with the letter PDF attached. Printed letter: the PDF is queued for "
        "posting. Phone call: a call activity for the responsible collector.",
    )
    is_formal_notice = fields.Boolean(
        string="Formal notice",
        help="This letter is a formal notice (mise en demeure): it states the amounts, the "
        "deadline and what follows, and starts consumer interest under French law.",
    )
    apply_penalties = fields.Boolean(
        string="State penalties",
        help="The letter shows the late-payment interest and indemnity the law allows.",
    )
    invoice_penalties = fields.Boolean(
        string="Invoice the penalties",
        help="Sending a letter of this level also invoices (and posts) the late-payment penalties of its "
        "invoices, up to the letter's date.",
    )
    propose_handoff = fields.Boolean(
        string="Propose a collection hand-off",
        help="Reaching this level asks the dunning managers to consider handing the file to a collection agency.",
    )
    auto_send = fields.Boolean(
        string="Send automatically",
        default=True,
        help="Letters of this level are sent by the daily run. Otherwise they wait in "
        "'To send' for a collector to review them.",
    )
    attach_invoices = fields.Boolean(
        string="Attach the invoices", help="E-mails of this level also carry the PDF of each late invoice."
    )
    fee_amount = fields.Monetary(
        string="Reminder fee",
        currency_field="currency_id",
        help="Charged on the letters of this level where the law allows it: never to French consumers (CPCE "
        "L111-8); to Belgian consumers only under a recurring contract, from the fourth reminder of a calendar "
        "year and at most EUR 7.50 (Book XIX). Each letter stores the fee it carries.",
    )
    fee_postage = fields.Monetary(
        string="Postage",
        currency_field="currency_id",
        help="Postage charged with the reminder fee on printed letters, where a fee may be charged; never on "
        "e-mailed reminders.",
    )
    min_amount = fields.Monetary(
        string="Minimum amount",
        currency_field="currency_id",
        help="Below this total due (in company currency), the customer is not reminded at this level.",
    )
    min_gap_days = fields.Integer(
        string="Minimum days since previous letter",
        help="The customer must not have received a letter in the last N days. Zero: the company's setting applies.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain=[("model", "=", "account.dunning.letter")],
        default=lambda self: self.env.ref("account_dunning.mail_template_dunning_letter", raise_if_not_found=False),
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter report",
        domain=[("model", "=", "account.dunning.letter")],
        default=lambda self: self.env.ref("account_dunning.action_report_dunning_letter", raise_if_not_found=False),
    )
    letter_intro = fields.Text(
        string="Letter text",
        translate=True,
        help="Opening text of the letter and e-mail, in the tone of this level.",
    )
    letter_salutation = fields.Char(
        string="Salutation",
        translate=True,
        help='How the letter addresses the customer. Empty: "Dear Sir or Madam," in the customer\'s language '
        '("Madame, Monsieur," in French).',
    )
    payment_delay_days = fields.Integer(
        string="Days to pay",
        default=8,
        help="The letter asks for payment by its date plus these days, printed as one date. Zero: no deadline.",
    )
    letter_count = fields.Integer(compute="_compute_letter_count")

    _delay_in_courtesy_window = models.Constraint(
        f"CHECK (delay_days >= -{COURTESY_WINDOW_DAYS})",
        "A level cannot be due more than 30 days before the due date.",
    )
    _fees_positive = models.Constraint(
        "CHECK (fee_amount >= 0 AND fee_postage >= 0)", "A reminder fee and its postage cannot be negative."
    )
    _min_amount_positive = models.Constraint(
        "CHECK (min_amount >= 0)", "The minimum amount of a level cannot be negative."
    )
    _payment_delay_positive = models.Constraint(
        "CHECK (payment_delay_days >= 0)", "The days to pay of a level cannot be negative."
    )
    _min_gap_positive = models.Constraint(
        "CHECK (min_gap_days >= 0)", "The minimum gap between letters cannot be negative."
    )

    def _compute_letter_count(self):
        counts = dict(
            self.env["account.dunning.letter.line"]._read_group(
                [("level_id", "in", self.ids)], ["level_id"], ["letter_id:count_distinct"]
            )
        )
        for level in self:
            level.letter_count = counts.get(level, 0)

    @api.constrains("sequence", "delay_days", "policy_id")
    def _check_order(self):
        for policy in self.policy_id:
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            sequences = levels.mapped("sequence")
            if len(set(sequences)) != len(sequences):
                raise ValidationError(
                    self.env._("Two levels of policy %(policy)s have the same sequence.", policy=policy.display_name)
                )
            for previous, level in pairwise(levels):
                if level.delay_days <= previous.delay_days:
                    raise ValidationError(
                        self.env._(
                            "Levels of policy %(policy)s must have strictly increasing delays: "
                            "%(level)s (%(delay)s days) comes after %(previous)s (%(previous_delay)s days).",
                            policy=policy.display_name,
                            level=level.name,
                            delay=level.delay_days,
                            previous=previous.name,
                            previous_delay=previous.delay_days,
                        )
                    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.env["account.dunning.letter.line"]._read_group([("level_id", "in", self.ids)], ["level_id"])
        if used:
            raise UserError(
                self.env._(
                    "Level %(level)s has been used in letters and cannot be deleted; archive its policy "
                    "or change its texts instead.",
                    level=used[0][0].display_name,
                )
            )

    def _compute_display_name(self):
        for level in self:
            level.display_name = f"{level.policy_id.name} / {level.name}" if level.policy_id else level.name

    def _effective_min_gap(self):
        self.ensure_one()
        # A customer never receives two letters on the same day, whatever the settings.
        return max(self.min_gap_days or self.company_id.dunning_min_gap_days, 1)

    @api.model
    def _default_intro(self, tone, kind):
        """Opening paragraph of the shipped levels, in the environment's language."""
        texts = {
            "courtesy": self.env._(
                "This is a friendly reminder that the invoices below will soon be due. If you "
                "have already arranged the payment, thank you and please disregard this message."
            ),
            "first": self.env._(
                "Unless we are mistaken, the invoices below are past their due date and still "
                "unpaid. It may be an oversight: please settle them at your earliest convenience."
            ),
            "firm": self.env._(
                "Despite our first reminder, the invoices below remain unpaid. Please pay them within 8 days."
            ),
            "formal_notice": self.env._(
                "Despite our previous reminders, the sums below remain unpaid. We hereby formally "
                "demand that you pay them by the date stated in this letter."
            ),
            "handoff": self.env._(
                "Despite our formal notice, the sums below remain unpaid. Without payment within "
                "8 days, your file will be handed over to our collection agency."
            ),
        }
        text = texts[tone]
        if kind in ("professional", "public") and tone in ("firm", "formal_notice", "handoff"):
            text += " " + self.env._(
                "Late-payment interest and the fixed recovery indemnity are due by law from the day after the due date."
            )
        return text
