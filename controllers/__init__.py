from . import letter_portal, portal
