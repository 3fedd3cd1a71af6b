import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# The loaded project (modules, models, URL patterns, translations: ~220 000 objects) lives as long as the
# process. Moved out of the collector's generations, it is no longer scanned by every full collection, which
# a page that builds a few thousand objects (an admin list) set off every few requests: 5-15 ms each, the
# slowest twentieth of those pages. (docs/DECISIONS.md)
gc.freeze()
