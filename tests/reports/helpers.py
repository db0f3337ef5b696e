from apps.reports.registry import REPORTS


def compute(type_: str, **data) -> dict:
    """The report's JSON result for form data, through the report's own form."""
    spec = REPORTS[type_]
    form = spec.form_class(data={k: str(v) for k, v in data.items()})
    assert form.is_valid(), form.errors
    return spec.build(form.parameters(), lambda pct: None).as_json()


def table(result: dict, index: int = 0) -> dict:
    return result["tables"][index]


def rows(result: dict, *keys: str, index: int = 0) -> list[tuple]:
    """Rows as tuples of the given keys (all keys when none given)."""
    t = table(result, index)
    keys = keys or tuple(c["key"] for c in t["columns"])
    return [tuple(row[k] for k in keys) for row in t["rows"]]


def totals(result: dict, *keys: str, index: int = 0) -> tuple:
    t = table(result, index)["totals"]
    return tuple(t[k] for k in keys)


def figures(result: dict) -> dict:
    return {f["label"]: f["value"] for f in result["figures"]}
