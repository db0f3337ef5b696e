"""The classes the project derives from a library's base, for tests that hold every one of
them to a rule (tests/core/test_table_copies.py, tests/core/test_filter_copies.py)."""

import importlib
import pkgutil

import apps


def project_subclasses(base: type, modules: tuple[str, ...], skip: type) -> list[type]:
    """Every subclass of `base`, at any depth, defined in `apps` except `skip`, once the
    modules of `apps` whose last name starts with one of `modules` are imported."""
    for info in pkgutil.walk_packages(apps.__path__, "apps."):
        if info.name.rsplit(".", 1)[-1].startswith(modules):
            importlib.import_module(info.name)
    found, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("apps.") and sub is not skip:
                found.append(sub)
    return found
