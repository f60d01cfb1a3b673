import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scribetree.settings")
application = get_wsgi_application()

from scribetree.warmup import freeze_heap, warm_up  # noqa: E402 - needs the app set up

warm_up()
freeze_heap()  # last: what warm_up built is long-lived too
