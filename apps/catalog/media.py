"""Product images: for every logged-in user (staff and portal customers)."""

from apps.core.media import media_rule

media_rule("products/", lambda request, name: True)
