"""Production static files storage: whitenoise's compressed manifest storage, remembering URLs.

`{% static %}` asks the storage for a file's hashed URL on every use: a manifest lookup, then URL
quoting and joining, ~50-80 µs each, three or four times on every page. The manifest is read once
and never changes while the process lives, so neither does any URL: each is worked out once.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

_MAX_REMEMBERED = 2_000  # names come from our templates; this only guards against the unexpected


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = super().url(name)
            if len(self._urls) < _MAX_REMEMBERED:
                self._urls[name] = url
            return url
