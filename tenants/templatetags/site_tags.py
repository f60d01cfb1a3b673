"""Tags of the site's frame (templates/base.html) and of its most visited pages."""

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

_REVERSED = {}
# Stand-ins for ids while a path is reversed once; no real id or path holds these digits.
_STAND_INS = ("7919000001", "7919000002", "7919000003")


@register.simple_tag
def nav_url(name, *ids):
    """`{% url name id ... %}` for the links on every page (the header, a course's tabs, the writing
    page), reversed once per process for each URLconf (institution or platform site), script
    prefix and name: each reversal cost ~45-150 µs, and a page has a dozen.

    With ids (whole numbers, such as `course.pk`), the path is reversed once with stand-ins, which
    each id then replaces; any other argument, or a path the stand-ins do not fit, is reversed as
    `{% url %}` would be."""
    if not ids:
        key = (get_urlconf(), get_script_prefix(), name)
        try:
            return _REVERSED[key]
        except KeyError:
            url = _REVERSED[key] = reverse(name)
            return url
    if len(ids) > len(_STAND_INS) or any(type(value) is not int for value in ids):
        return reverse(name, args=ids)
    key = (get_urlconf(), get_script_prefix(), name, len(ids))
    try:
        parts = _REVERSED[key]
    except KeyError:
        parts = _REVERSED[key] = _split(name, len(ids))
    if parts is None:
        return reverse(name, args=ids)
    url = parts[0]
    for value, part in zip(ids, parts[1:], strict=True):
        url += str(value) + part
    return url


def _split(name, count):
    """The reversed path cut where each stand-in id goes, or None if they are not each there once."""
    try:
        url = reverse(name, args=_STAND_INS[:count])
    except NoReverseMatch:
        return None
    parts = []
    for stand_in in _STAND_INS[:count]:
        if url.count(stand_in) != 1:
            return None
        before, url = url.split(stand_in)
        parts.append(before)
    return (*parts, url)
