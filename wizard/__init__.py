from . import account_dunning_penalty_invoice
