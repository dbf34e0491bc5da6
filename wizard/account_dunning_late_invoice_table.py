import io

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..law import late_invoice_table as table_lib

# The official layout (arrêté of 20 March 2017, table I): its labels are the regulation's, in French.
OFFICIAL_TITLE = (
    "Article D. 441 I.-1° : Factures émises non réglées à la date de clôture de l'exercice dont le terme est échu"
)
OFFICIAL_COLUMNS = (
    ("0", "0 jour (indicatif)"),
    ("1_30", "1 à 30 jours"),
    ("31_60", "31 à 60 jours"),
    ("61_90", "61 à 90 jours"),
    ("91", "91 jours et plus"),
    ("late", "Total (1 jour et plus)"),
)


class AccountDunningLateInvoiceTable(models.TransientModel):
    """The table of late customer invoices of the management report (Code de commerce D441-6
    I, 1°) for any closing date: computed into lines (list and pivot) and exported in the
    official layout (XLSX). See :mod:`..law.late_invoice_table`."""

    _name = "account.dunning.late.invoice.table"
    _description = "Late invoices table (D441-6)"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(string="Closing date", required=True, default=lambda self: self._default_closing_date())
    date_from = fields.Date(
        string="Financial year from",
        required=True,
        default=lambda self: self._default_closing_date() - relativedelta(years=1, days=-1),
        help="First day of the financial year: its turnover excluding VAT is the base of the shares.",
    )
    line_ids = fields.One2many("account.dunning.late.invoice.table.line", "table_id", readonly=True)
    turnover = fields.Monetary(string="Turnover excl. VAT", readonly=True)
    export_id = fields.Many2one("ir.attachment", string="XLSX export", readonly=True)

    @api.model
    def _default_closing_date(self):
        today = fields.Date.context_today(self)
        return today.replace(month=12, day=31) - relativedelta(years=1)

    def _check_dates(self):
        for table in self:
            if table.date_from > table.date_to:
                raise UserError(self.env._("The financial year must start before its closing date."))

    def action_compute(self):
        """The unpaid installments at the closing date and the year's turnover, then the lines."""
        self.ensure_one()
        self._check_dates()
        self.line_ids.unlink()
        rows = self._unpaid_installments()
        self.line_ids = [
            fields.Command.create(
                {
                    "move_id": move_id,
                    "partner_id": partner_id,
                    "date_maturity": maturity,
                    "days_late": (self.date_to - maturity).days,
                    "band": table_lib.band_of((self.date_to - maturity).days),
                    "amount": self.currency_id.round(amount),
                    "disputed": disputed,
                }
            )
            for move_id, partner_id, maturity, amount, disputed in rows
        ]
        self.turnover = self._turnover()
        return self.action_open_lines()

    def _unpaid_installments(self):
        """``(invoice, customer, term, unpaid amount incl. VAT in company currency, disputed)``
        of every receivable installment of a posted customer invoice issued by the closing date
        and not paid on it: its amount less what was matched to it by then. One query."""
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        return self.env.execute_query(
            SQL(
                """SELECT move.id, move.commercial_partner_id, aml.date_maturity,
                          aml.balance - COALESCE(matched.amount, 0), COALESCE(move.dunning_excluded, FALSE)
                     FROM account_move_line aml
                     JOIN account_move move ON move.id = aml.move_id
                     JOIN account_account account ON account.id = aml.account_id
                LEFT JOIN (
                           SELECT partial.debit_move_id, SUM(partial.amount) AS amount
                             FROM account_partial_reconcile partial
                            WHERE partial.max_date <= %(date_to)s
                         GROUP BY partial.debit_move_id
                          ) matched ON matched.debit_move_id = aml.id
                    WHERE aml.company_id = %(company)s
                      AND move.state = 'posted'
                      AND move.move_type IN ('out_invoice', 'out_receipt')
                      AND move.invoice_date <= %(date_to)s
                      AND account.account_type = 'asset_receivable'
                      AND aml.date_maturity IS NOT NULL
                      AND aml.balance - COALESCE(matched.amount, 0) > 0
                 ORDER BY aml.date_maturity, aml.id""",
                date_to=self.date_to,
                company=self.company_id.id,
            )
        )

    def _turnover(self):
        """The year's turnover excluding VAT: invoices less credit notes, in company currency."""
        rows = self.env["account.move"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ("is_dunning_penalty", "=", False),
                ("invoice_date", ">=", self.date_from),
                ("invoice_date", "<=", self.date_to),
            ],
            [],
            ["amount_untaxed_signed:sum"],
        )
        return rows[0][0] or 0.0

    def _summary(self):
        return table_lib.summarize(
            [(line.move_id.id, line.days_late, line.amount, line.disputed) for line in self.line_ids], self.turnover
        )

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Late invoices at %(date)s", date=self.date_to),
            "res_model": "account.dunning.late.invoice.table.line",
            "views": [(False, "list"), (False, "pivot")],
            "domain": [("table_id", "=", self.id)],
            "context": {"search_default_late": 1},
        }

    def action_export_xlsx(self):
        """The table in the official layout, as an XLSX file to download."""
        self.ensure_one()
        if not self.line_ids and not self.turnover:
            self.action_compute()
        summary = self._summary()
        binary = io.BytesIO()
        workbook = xlsxwriter.Workbook(binary, {"in_memory": True})
        sheet = workbook.add_worksheet("D441-6")
        bold = workbook.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "vcenter"})
        cell = workbook.add_format({"border": 1})
        money = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
        percent = workbook.add_format({"border": 1, "num_format": "0.00"})
        sheet.set_column(0, 0, 60)
        sheet.set_column(1, len(OFFICIAL_COLUMNS), 16)
        sheet.merge_range(0, 0, 0, len(OFFICIAL_COLUMNS), OFFICIAL_TITLE, bold)
        sheet.write(1, 0, f"Date de clôture : {self.date_to.strftime('%d/%m/%Y')}", cell)
        for column, (_code, label) in enumerate(OFFICIAL_COLUMNS, start=1):
            sheet.write(1, column, label, bold)
        sheet.merge_range(2, 0, 2, len(OFFICIAL_COLUMNS), "(A) Tranches de retard de paiement", bold)
        rows = (
            ("Nombre de factures concernées", 0, cell),
            ("Montant total des factures concernées (TTC)", 1, money),
            ("Pourcentage du chiffre d'affaires (HT) de l'exercice", 2, percent),
        )
        for offset, (label, index, style) in enumerate(rows, start=3):
            sheet.write(offset, 0, label, cell)
            for column, (code, _label) in enumerate(OFFICIAL_COLUMNS, start=1):
                value = summary[code][index]
                if value is None:
                    sheet.write_blank(offset, column, None, style)
                else:
                    sheet.write_number(offset, column, float(value), style)
        sheet.merge_range(
            6,
            0,
            6,
            len(OFFICIAL_COLUMNS),
            "(B) Factures exclues du (A) relatives à des dettes et créances litigieuses ou non comptabilisées",
            bold,
        )
        count, amount, _share = summary["excluded"]
        sheet.write(7, 0, "Nombre des factures exclues", cell)
        sheet.write_number(7, 1, count, cell)
        sheet.write(8, 0, "Montant total des factures exclues (TTC)", cell)
        sheet.write_number(8, 1, float(amount), money)
        sheet.merge_range(
            9,
            0,
            9,
            len(OFFICIAL_COLUMNS),
            "(C) Délais de paiement de référence utilisés (contractuel ou délai légal - article L. 441-10 du code "
            "de commerce)",
            bold,
        )
        sheet.write(10, 0, "Délais de paiement utilisés pour le calcul des retards de paiement", cell)
        sheet.write(10, 1, "Délais contractuels : conditions de paiement de chaque facture", cell)
        workbook.close()
        self.export_id = self.env["ir.attachment"].create(
            {
                "name": f"D441-6-{self.company_id.name}-{self.date_to}.xlsx".replace("/", "-"),
                "raw": binary.getvalue(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.export_id.id}?download=true",
            "target": "download",
        }
