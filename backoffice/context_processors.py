from django.utils.functional import SimpleLazyObject

from apps.core.models import CompanySettings

from .navigation import menu_for


def backoffice(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "nav_menu": SimpleLazyObject(lambda: menu_for(user)) if authenticated else [],
        "company": SimpleLazyObject(CompanySettings.load),
    }
