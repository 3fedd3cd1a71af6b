"""What every app of the portal shares and nothing else: limits of what people type, the queue hook, form
errors, widgets, the admin's bounded lists, the display filters (``{% load portal %}``), private storage and
the checking of uploaded files.  Imports Django and ``khmer`` only, never an app and never ``portal``."""
