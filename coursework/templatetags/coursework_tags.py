"""Template tags of the coursework pages."""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def due_time(moment):
    """A due date as `<time>`, in the institution's time zone: what `{{ due|date:"D j M Y, H:i" }}`
    inside `<time datetime="{{ due|date:'c' }}">` gives, formatted directly. The student's home
    and writing page show one per stage, and the include with two `date` filters was ~10 % of
    the home page's time (py-spy over bench/profile_request.py --scenario home)."""
    local = timezone.localtime(moment)
    shown = f"{WEEKDAYS_ABBR[local.weekday()]} {local.day} {str(MONTHS_3[local.month]).title()} {local.year}, " \
            f"{local:%H:%M}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), shown)
