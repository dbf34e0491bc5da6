import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command

PROFESSIONALS = [
    "Boulangerie Martin SARL",
    "Atelier Dubois",
    "Garage Lefèvre",
    "Imprimerie Moreau",
    "Cabinet Laurent",
    "Menuiserie Simon",
    "Transports Michel",
    "Hôtel du Port",
    "Pharmacie Garnier",
    "Librairie Faure",
    "Brasserie Roux",
    "Fromagerie Blanc",
    "Plomberie Guerin",
    "Architectes Muller & Fils",
    "Clinique Vétérinaire Henry",
    "Électricité Rousseau",
    "Domaine Viticole Perrin",
    "Agence Web Fontaine",
    "Studio Photo Chevalier",
    "Boucherie Robin",
    "Bruxelles Consulting SPRL",
    "Liège Logistique SA",
]
CONSUMERS = [
    "Camille Bernard",
    "Lucas Petit",
    "Léa Richard",
    "Hugo Durand",
    "Chloé Lefebvre",
    "Louis Mercier",
    "Emma Bonnet",
    "Jules Lambert",
    "Manon Girard",
    "Nathan André",
    "Inès Morel",
    "Théo Fournier",
    "Sarah Chevallier",
    "Arthur Gauthier",
]


class AccountDunningDemo(models.AbstractModel):
    _name = "account.dunning.demo"
    _description = "Dunning demo data generator"

    @api.model
    def _populate(self, invoice_count=260, seed=19):
        """A receivables book for the demo: customers (professionals and consumers), six
        months of invoices (some on installments), payments (full and partial), disputes,
        then the dunning process replayed week after week up to today."""
        rng = random.Random(seed)
        company = self._demo_company()
        self = self.with_company(company)  # noqa: PLW0642 - everything below belongs to the demo company
        today = fields.Date.context_today(self)
        partners = self._demo_partners(rng, company)
        terms = self._demo_payment_terms(company)
        products = self._demo_products(company)
        invoices = self._demo_invoices(rng, company, partners, terms, products, invoice_count, today)
        self._demo_payments(rng, invoices, today)
        disputed = invoices.filtered(lambda move: move.payment_state == "not_paid")[:6]
        for invoice in disputed:
            invoice.write(
                {
                    "dunning_excluded": True,
                    "dunning_exclusion_reason": self.env._("Customer disputes the quantities delivered"),
                }
            )
        partners[3].write(
            {
                "dunning_blocked": True,
                "dunning_block_reason": self.env._("Ongoing dispute handled by the sales manager"),
            }
        )
        self._demo_dunning_history(company, today)
        return True

    def _demo_company(self):
        """A French company with the French chart when the localisation is installed (the
        generic chart otherwise), made the admin's current company."""
        company = self.env["res.company"].create(
            {
                "name": "Atelier Lumière SARL (dunning demo)",
                "country_id": self.env.ref("base.fr").id,
                "street": "12 rue des Tanneurs",
                "zip": "69002",
                "city": "Lyon",
                "email": "compta@atelier-lumiere.example.com",
                "currency_id": self.env.ref("base.EUR").id,
                "external_report_layout_id": self.env.ref("web.external_layout_standard").id,
            }
        )
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": "account_dunning.demo_company", "record": company, "noupdate": True}]
        )
        chart = self.env["account.chart.template"]
        chart.try_loading(chart._guess_chart_template(company.country_id), company)
        self.env["res.partner.bank"].create(
            {"acc_number": "FR76 3000 4000 0312 3456 7890 143", "partner_id": company.partner_id.id}
        )
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        if admin:
            admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        return company.with_company(company) and company

    def _demo_partners(self, rng, company):
        country_fr = self.env.ref("base.fr")
        country_be = self.env.ref("base.be")
        langs = {code for code, _name in self.env["res.lang"].get_installed()}
        lang_fr = "fr_FR" if "fr_FR" in langs else False
        vals = []
        for index, name in enumerate(PROFESSIONALS):
            belgian = name.startswith(("Bruxelles", "Liège"))
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:18]
            vals.append(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"compta@{slug}.example.com",
                    "phone": f"+33 1 40 00 {index:02d} {rng.randint(10, 99)}",
                    "street": f"{rng.randint(1, 120)} rue de la République",
                    "city": "Bruxelles" if belgian else rng.choice(["Lyon", "Paris", "Nantes", "Lille", "Bordeaux"]),
                    "zip": "1000" if belgian else f"{rng.randint(10, 95)}000",
                    "country_id": (country_be if belgian else country_fr).id,
                    "lang": lang_fr or self.env.lang,
                    "customer_rank": 1,
                }
            )
        for index, name in enumerate(CONSUMERS):
            slug = name.lower().replace(" ", ".").replace("é", "e").replace("è", "e").replace("ï", "i")
            vals.append(
                {
                    "name": name,
                    "is_company": False,
                    "email": f"{slug}@example.com",
                    "phone": f"+33 6 12 34 {index:02d} {rng.randint(10, 99)}",
                    "street": f"{rng.randint(1, 80)} avenue Victor Hugo",
                    "city": rng.choice(["Toulouse", "Rennes", "Nice", "Strasbourg"]),
                    "zip": f"{rng.randint(10, 95)}100",
                    "country_id": country_fr.id,
                    # A few consumers read English: their letters come in English.
                    "lang": (lang_fr or self.env.lang) if index % 4 else "en_US",
                    "customer_rank": 1,
                }
            )
        partners = self.env["res.partner"].create(vals)
        # Invoices of two companies go to their accounts department, not to the company itself.
        self.env["res.partner"].create(
            [
                {
                    "name": "Service comptabilité",
                    "type": "invoice",
                    "parent_id": partners[i].id,
                    "email": f"factures{i}@example.com",
                    "lang": partners[i].lang,
                }
                for i in (0, 5)
            ]
        )
        return partners

    def _demo_payment_terms(self, company):
        Term = self.env["account.payment.term"]
        return Term.create(
            [
                {
                    "name": "30 days (demo)",
                    "company_id": company.id,
                    "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
                },
                {
                    "name": "45 days end of month (demo)",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create(
                            {
                                "value": "percent",
                                "value_amount": 100,
                                "nb_days": 45,
                                "delay_type": "days_after_end_of_month",
                            }
                        )
                    ],
                },
                {
                    "name": "3 installments: 30/60/90 days (demo)",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create({"value": "percent", "value_amount": 34, "nb_days": 30}),
                        Command.create({"value": "percent", "value_amount": 33, "nb_days": 60}),
                        Command.create({"value": "percent", "value_amount": 33, "nb_days": 90}),
                    ],
                },
            ]
        )

    def _demo_products(self, company):
        tax = company.account_sale_tax_id
        return self.env["product.product"].create(
            [
                {
                    "name": "Consulting day (demo)",
                    "type": "service",
                    "list_price": 850.0,
                    "taxes_id": [Command.set(tax.ids)],
                },
                {
                    "name": "Maintenance contract (demo)",
                    "type": "service",
                    "list_price": 120.0,
                    "taxes_id": [Command.set(tax.ids)],
                },
                {
                    "name": "Spare parts kit (demo)",
                    "type": "consu",
                    "list_price": 65.0,
                    "taxes_id": [Command.set(tax.ids)],
                },
            ]
        )

    def _demo_invoices(self, rng, company, partners, terms, products, count, today):
        vals = []
        for _index in range(count):
            partner = rng.choice(partners)
            invoice_date = today - timedelta(days=rng.randint(1, 182))
            term = terms[2] if partner.is_company and rng.random() < 0.15 else rng.choice(terms[:2])
            vals.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": rng.randint(1, 6), "price_unit": product.list_price}
                        )
                        for product in rng.sample(list(products), rng.randint(1, 2))
                    ],
                }
            )
        invoices = self.env["account.move"].create(vals)
        invoices.action_post()
        return invoices

    def _demo_payments(self, rng, invoices, today):
        for invoice in invoices.sorted("invoice_date"):
            draw = rng.random()
            if draw < 0.45:
                amount = invoice.amount_residual
            elif draw < 0.60:
                amount = invoice.currency_id.round(invoice.amount_residual * rng.choice([0.3, 0.5]))
            else:
                continue
            pay_date = min(invoice.invoice_date + timedelta(days=rng.randint(10, 75)), today)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": pay_date})._create_payments()

    def _demo_dunning_history(self, company, today):
        """Replay the daily run every week over the last three months, then today."""
        Run = self.env["account.dunning.run"]
        Letter = self.env["account.dunning.letter"]
        day = today - timedelta(days=91)
        while day < today:
            # The past is recorded as sent without e-mailing the made-up demo addresses.
            Run._get_or_create(company, day).write({"send_letters": False})
            Run._get_or_create(company, day).action_run()
            waiting = Letter.search([("company_id", "=", company.id), ("state", "=", "to_send")])
            waiting._dunning_mark_sent()
            waiting.with_context(dunning_send_date=day)._after_send()
            day += timedelta(days=7)
        # Today's run leaves its letters for the collectors to review and send.
        Run._get_or_create(company, today).write({"send_letters": False})
        Run._get_or_create(company, today).action_run()
