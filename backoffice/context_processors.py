from django.utils.functional import SimpleLazyObject

from apps.core.models import CompanySettings

from .navigation import cached_menu, menu_html


def backoffice(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    if not authenticated:
        return {"nav_menu": [], "nav_html": "", "company": SimpleLazyObject(CompanySettings.load)}
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else None
    return {
        "nav_menu": SimpleLazyObject(lambda: cached_menu(user)),
        "nav_html": SimpleLazyObject(lambda: menu_html(user, url_name)),
        "company": SimpleLazyObject(CompanySettings.load),
    }
