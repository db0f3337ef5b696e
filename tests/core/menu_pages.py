"""What the tests that walk every page the menu reaches share: the demo data with a user
logged in, the menu's URLs, and a URL's pattern (one page per view is enough)."""

from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from apps.accounts.models import User
from backoffice.navigation import menu_for
from tests.demo import seed_demo_pages


def url_pattern(url: str) -> str:
    """The route `url` resolves to (same view, same answer), else the URL itself."""
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return url


def menu_urls(user) -> list[str]:
    """Every URL of `user`'s menu, in the menu's order."""
    return [item["url"] for section in menu_for(user) for item in section["items"]]


def demo_client(email: str = "admin@demo.test") -> tuple[User, Client]:
    """`seed_demo`'s data, and a client logged in as its user `email`."""
    seed_demo_pages()
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    return user, client


def page_tables(response) -> list[tuple]:
    """(table, the flattened context) for each django-tables2 table the page's templates
    were given, each table once, with the last context it appeared in."""
    from django.test.utils import ContextList
    from django_tables2 import Table

    found = {}
    contexts = response.context
    if not isinstance(contexts, ContextList):
        contexts = [contexts] if contexts is not None else []
    for context in contexts:
        flat = context.flatten()
        for value in flat.values():
            if isinstance(value, Table):
                found[id(value)] = (value, flat)
    return list(found.values())
