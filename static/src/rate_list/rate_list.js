import {onWillStart, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {ListRenderer} from "@web/views/list/list_renderer";
import {listView} from "@web/views/list/list_view";

/**
 * The list of reference rates with a banner naming the French and Belgian rates still
 * missing for the current half-year, or for the next one from 15 days before it
 * (account.dunning.rate.get_missing_rate_warnings).
 */
export class DunningRateListRenderer extends ListRenderer {
    static template = "account_dunning.DunningRateListRenderer";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.missingRates = useState({warnings: []});
        onWillStart(async () => {
            this.missingRates.warnings = await this.orm.call(
                "account.dunning.rate",
                "get_missing_rate_warnings",
                []
            );
        });
    }
}

registry.category("views").add("account_dunning_rate_list", {
    ...listView,
    Renderer: DunningRateListRenderer,
});
