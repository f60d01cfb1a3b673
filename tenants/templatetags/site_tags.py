"""Tags of the site's frame (templates/base.html)."""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_REVERSED = {}


@register.simple_tag
def nav_url(name):
    """`{% url name %}` for a link that takes no arguments, reversed once per process for each
    URLconf (institution or platform site) and script prefix: the header's links are on every
    page, and each reversal cost ~45 µs."""
    key = (get_urlconf(), get_script_prefix(), name)
    try:
        return _REVERSED[key]
    except KeyError:
        url = _REVERSED[key] = reverse(name)
        return url
