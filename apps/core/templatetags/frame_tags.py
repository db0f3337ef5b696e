"""`{% once %}...{% endonce %}`: a fragment of a page's frame that reads nothing from the
request (base.html's stylesheet and script tags: seven `{% static %}` URLs) rendered once
per process instead of on every page (docs/performance.md, "The fixed cost of a page
(`frame` branch)"). Only for content that depends on code and settings alone; a settings
change (tests' override_settings) renders it again."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed

register = template.Library()

_generation = [0]  # bumped by any settings change: every {% once %} renders again


def _settings_changed(**kwargs) -> None:
    _generation[0] += 1


setting_changed.connect(_settings_changed)


class OnceNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.done: tuple[int, str] | None = None

    def render(self, context) -> str:
        done = self.done
        if done is None or done[0] != _generation[0]:
            done = self.done = (_generation[0], self.nodelist.render(context))
        return done[1]


@register.tag
def once(parser, token):
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)
