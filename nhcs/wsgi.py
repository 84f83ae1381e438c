import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhcs.settings")
application = get_wsgi_application()

# What loading made (settings, models, URLs, translations: ~200,000 objects) lives as long as the process.
# Frozen, the collector's full passes leave it alone: such a pass took ~135 ms of one request in every few
# hundred, ~10 ms frozen (measured on the volume data, issue 18; BENCHMARKS.md).
gc.freeze()
