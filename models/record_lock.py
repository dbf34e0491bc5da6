"""What was sent stays as sent: the key that lets the addon's own methods move a locked record.

A sent letter, the installments of a confirmed plan and the lines of a confirmed hand-off
are records of what the customer or the agency received. A plain ``write`` cannot change
them, for any role (``sudo`` included); the methods that legitimately move them (sending,
failing, cancelling, recording a recovery, amending a plan) write through ``internal()``.

The key's value is a Python object, not a string: a context received over RPC is JSON, so
no client can forge it, whatever keys it sends.
"""

CONTEXT_KEY = "account_dunning_internal_write"
_INTERNAL = object()


def internal(records):
    """``records`` allowed to change what a locked record holds: for the addon's methods only."""
    return records.with_context(**{CONTEXT_KEY: _INTERNAL})


def is_internal(records):
    return records.env.context.get(CONTEXT_KEY) is _INTERNAL
