from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class DunningPortal(CustomerPortal):
    """Customers see their installment plans and the next installment in their portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "installment_plan_count" in counters:
            Plan = request.env["account.dunning.installment.plan"]
            values["installment_plan_count"] = Plan.search_count([]) if Plan.has_access("read") else 0
        return values

    @http.route(["/my/installment_plans"], type="http", auth="user", website=True)
    def portal_my_installment_plans(self, **kwargs):
        plans = request.env["account.dunning.installment.plan"].search([], order="date_confirmed desc, id desc")
        values = self._prepare_portal_layout_values()
        # The record rules chose what the customer may see; the amounts are read in full.
        values.update({"plans": plans.sudo(), "page_name": "installment_plan"})
        return request.render("account_dunning.portal_my_installment_plans", values)

    @http.route(["/my/installment_plans/<int:plan_id>"], type="http", auth="user", website=True)
    def portal_my_installment_plan(self, plan_id, **kwargs):
        try:
            plan = request.env["account.dunning.installment.plan"].browse(plan_id)
            plan.check_access("read")
            plan.read(["state"])
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"plan": plan.sudo(), "page_name": "installment_plan"})
        return request.render("account_dunning.portal_my_installment_plan", values)
