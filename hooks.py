def post_init_hook(env):
    """Companies that exist before the install get their default policies too."""
    env["res.company"].search([])._dunning_ensure_default_policies()
