# Pages are served with WSGI (gunicorn); ASGI measured ~15 ms slower per request (PITFALLS.md).
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scribetree.settings")
application = get_asgi_application()
