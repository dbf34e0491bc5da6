from . import account_dunning_call, account_dunning_penalty_invoice
