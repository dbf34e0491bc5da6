from . import (
    account_dunning_demo,
    account_dunning_letter,
    account_dunning_letter_line,
    account_dunning_level,
    account_dunning_policy,
    account_dunning_run,
    account_move,
    account_move_line,
    mail_mail,
    res_company,
    res_config_settings,
    res_partner,
)
