"""Template tags of the coursework pages.

The writing page is the most requested page after the autosave. Its parts that loop or repeat are
formatted here in Python rather than with template loops and includes: Django's template engine
was ~40 % of that page's time (bench/profile_request.py --scenario write).
"""

import functools

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _day_month(local):
    return f"{WEEKDAYS_ABBR[local.weekday()]} {local.day} {str(MONTHS_3[local.month]).title()}"


@register.simple_tag
def due_time(moment):
    """A due date as `<time>`, in the institution's time zone: what `{{ due|date:"D j M Y, H:i" }}`
    inside `<time datetime="{{ due|date:'c' }}">` gives, formatted directly. The student's home
    and writing page show one per stage, and the include with two `date` filters was ~10 % of
    the home page's time (py-spy over bench/profile_request.py --scenario home)."""
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(),
                       f"{_day_month(local)} {local.year}, {local:%H:%M}")


@register.simple_tag
def stage_list(stages, current, submitted):
    """The writing page's stages as `<li>` items: each with its due date, the current one marked,
    and every submission of it (when, which attempt, whether late)."""
    by_stage = {}
    for row in submitted:
        by_stage.setdefault(row.stage_id, []).append(row)
    items = []
    for stage in stages:
        here = stage == current
        rows = format_html_join("", '\n  <br><span class="tag tag-done">Submitted</span> {}{}{}', (
            (_submitted_at(row.submitted_at), format_html(" (attempt {})", row.attempt) if row.attempt > 1 else "",
             mark_safe(" — <strong>late</strong>") if row.is_late else "")
            for row in by_stage.get(stage.pk, ())))
        items.append(format_html(
            '<li{}>\n  <strong>{}</strong> — due {}{}{}\n</li>',
            mark_safe(' aria-current="step" class="current"') if here else "", stage, due_time(stage.due_at),
            mark_safe('\n  <span class="tag">Current stage</span>') if here else "", rows))
    return mark_safe("\n".join(items))  # noqa: S308 - each item is built by format_html


def _submitted_at(moment):
    """`{{ moment|date:"D j M, H:i" }}`."""
    local = timezone.localtime(moment)
    return f"{_day_month(local)}, {local:%H:%M}"


@register.simple_tag
def assignment_brief(assignment):
    """The assignment's prompt, instructions and length, as the writing page shows them."""
    return _brief(assignment.prompt, assignment.instructions, assignment.min_words, assignment.max_words,
                  translation.get_language())


@functools.lru_cache(maxsize=1024)
def _brief(prompt, instructions, min_words, max_words, language):
    """Rendered once per process for each distinct brief: the result depends on these arguments
    alone (no institution, person or time), so a copy can never show anything else, and an edited
    assignment is a new key."""
    with translation.override(language):
        return render_to_string("coursework/student/_brief.html", {
            "prompt": prompt, "instructions": instructions, "min_words": min_words, "max_words": max_words})
