import copy

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django_filters.fields import ModelChoiceField, ModelChoiceIterator
from django_filters.filters import FilterMethod

from . import reference
from .models import AuditAction, AuditEvent
from .numbers import MAX_DB_INT, is_digits, signed_number, whole_number
from .search import contains, latest_only

NOT_A_CHOICE = "invalid"


def bounded_filter_data(filterset_class, data):
    """The query with ids no database column can hold replaced by a value the filter form
    rejects ("Select a valid choice"), instead of an OverflowError/DataError (issue 12).

    Applies to every ModelChoice/ModelMultipleChoice filter of the filterset."""
    if not data or filterset_class is None:
        return data
    choice_filters = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
    names = [
        name
        for name, f in filterset_class.base_filters.items()
        if isinstance(f, choice_filters) and name in data
    ]
    if not names:
        return data
    data = data.copy()
    for name in names:
        values = [
            NOT_A_CHOICE if abs(signed_number(value) or 0) > MAX_DB_INT else value
            for value in data.getlist(name)
        ]
        data.setlist(name, values)
    return data


class _Filters(dict):
    """A filter set class's filters. Each request's filter set copies them one object each
    (the filter, its `extra` dict) instead of deep-copying every widget, choice list and
    queryset they hold: ~0.1-0.7 ms a list page (django-filter deep-copies all of it, and
    the form then deep-copies the fields built from it again).

    That is safe because a request changes a filter only by assigning (`model`, `parent`,
    the field it builds, a key of its `extra`), never what a value held in `extra` holds:
    a field deep-copies the widget it is given, the choices are normalised into a new list
    and a model choice field clones its queryset. The field a filter builds is per request
    (`_field` is never carried over), so a filter set may change its own field's widget."""

    def __deepcopy__(self, memo):
        return {name: _filter_copy(f) for name, f in self.items()}


def _filter_copy(f):
    new = copy.copy(f)
    new.__dict__.pop("_field", None)
    new.extra = dict(f.extra)
    if isinstance(new.__dict__.get("filter"), FilterMethod):
        new.filter = FilterMethod(new)  # `method=`: its proxy finds the copy's parent
    return new


class _FieldsOfOneForm(dict):
    """The fields of a form class built for one filter set (`FilterSet.get_form_class`):
    new for that request, so the form takes them as they are instead of deep-copying them."""

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(django_filters.FilterSet):
    """The project's filter sets derive from this: the same filtering, copied for each
    request one object at a time (`_Filters`), the form's fields not copied again."""

    # What the list shows above its rows about how a search was read (apps/core/search.py).
    search_note = ""

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
        return form_class


class _OneQueryIterator(ModelChoiceIterator):
    """The choices from one plain query, kept on the form's copy of the queryset: Django's
    iterator reads them through `queryset.iterator()`, a server-side cursor on PostgreSQL
    (DECLARE, FETCH, CLOSE) for a handful of stores or categories, ~1/10 of the product
    list's request at 100k products."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self._objects():
            yield self.choice(obj)

    def _objects(self):
        key = getattr(self.field, "reference", None)
        if key is None:
            return self.queryset
        # Instances shared by the process's requests: the options only read them.
        return reference.cached(self.queryset.model._meta.db_table, key, self._load)

    def _load(self):
        return tuple(self.queryset)


class _FewChoicesField(ModelChoiceField):
    iterator = _OneQueryIterator

    def __init__(self, *args, reference: str | None = None, **kwargs):
        self.reference = reference
        super().__init__(*args, **kwargs)


class FewChoicesFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter over a short list (stores, categories, currencies): its options
    in one plain query. A list that grows with the data (sellers, accounts, users) is a
    TypedLookupFilter instead.

    `reference="app.name"`: the options are kept per process while the reference stamp
    stays the same (apps.core.reference), no query at all; only for a queryset over one
    stamped table that is the same on every request (the name keys the kept list)."""

    field_class = _FewChoicesField


class TypedLookupField(forms.CharField):
    """A record typed into a filter bar, with suggestions from the page's `<datalist>` that
    `lookup_url` fills as one types (a `<select>` of every seller or account does not
    scale: 1,000 sellers made the transaction log a 97 KB page, 2,000 accounts the journal
    a 200 KB one). `matching(text)` is the queryset the text names; naming nothing is a
    form error ("No seller matches “x”."), never a silently unfiltered list. `label_for(id)`
    writes an id from a link as its suggestion's text (one query, only for an id)."""

    def __init__(self, *, matching, label_for, noun, datalist, lookup_url, placeholder, **kwargs):
        self.matching, self.label_for, self.noun = matching, label_for, noun
        attrs = {
            "placeholder": placeholder,
            "list": datalist,
            "autocomplete": "off",
            "hx-get": lookup_url,
            "hx-trigger": "input changed delay:200ms",
            "hx-target": f"#{datalist}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(max_length=250, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found = self.matching(text)
        if not found.values("pk")[:1]:
            raise ValidationError(f"No {self.noun} matches “{text}”.", code="no_match")
        return found

    def prepare_value(self, value):
        number = whole_number(value)
        if number is not None:
            return self.label_for(number) or value
        return value


class TypedLookupFilter(django_filters.Filter):
    """Rows whose `field_name` is one of the records a TypedLookupField names."""

    field_class = TypedLookupField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value.values("pk")})


class IPAddressFilter(django_filters.CharFilter):
    """Checks the address in the form: PostgreSQL refuses to compare inet with "abc" (a 500)."""

    field_class = forms.GenericIPAddressField


class _ContentTypeField(forms.ModelChoiceField):
    iterator = _OneQueryIterator

    def label_from_instance(self, obj):
        return type_name(obj)


class ContentTypeChoice(django_filters.ModelChoiceFilter):
    """Object types named as a person says them ("Credit request"), not "credit | creditrequest"."""

    field_class = _ContentTypeField


def type_name(content_type) -> str:
    model = content_type.model_class() if content_type else None
    if model is None:
        return content_type.model if content_type else ""
    return str(model._meta.verbose_name).capitalize()


def user_label(user) -> str:
    """How a user reads in the audit log's "Who" lookup: name and login (unique)."""
    return f"{user.full_name} · {user.email}" if user.full_name else user.email


def user_label_for(pk: int) -> str | None:
    user = get_user_model().objects.filter(pk=pk).only("full_name", "email").first()
    return user_label(user) if user else None


def users_matching(text: str):
    """The users a typed text names: an id, a suggestion ("Name · login" or a login), else
    every user whose login or name contains it."""
    users = get_user_model().objects.all()
    text = text.strip()
    if is_digits(text):
        number = whole_number(text)
        return users.filter(pk=number) if number is not None else users.none()
    email = text.rpartition("·")[2].strip()
    if "@" in email and " " not in email:
        exact = users.filter(email__iexact=email)
        if "·" in text or exact.values("pk")[:1]:
            return exact
    return users.filter(Q(email__icontains=text) | Q(full_name__icontains=text))


class AuditEventFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "object, event, message"}),
    )
    actor = TypedLookupFilter(
        label="Who",
        field_name="actor",
        matching=users_matching,
        label_for=user_label_for,
        noun="user",
        datalist="user-options",
        lookup_url=reverse_lazy("user-lookup"),
        placeholder="login or name",
    )
    action = django_filters.ChoiceFilter(label="Action", choices=AuditAction.choices)
    content_type = ContentTypeChoice(
        label="Type",
        queryset=ContentType.objects.filter(
            app_label__in=[
                "accounts",
                "core",
                "finance",
                "catalog",
                "inventory",
                "customers",
                "sales",
                "ledger",
                "credit",
                "invoicing",
                "reports",
            ]
        ).order_by("app_label", "model"),
    )
    start = django_filters.DateFilter(
        label="From",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        label="To",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ip_address = IPAddressFilter(label="IP", lookup_expr="exact")

    class Meta:
        model = AuditEvent
        fields = ["q", "actor", "action", "content_type", "start", "end", "ip_address"]

    def search(self, queryset, name, value):
        """The object, event or message containing `value`: trigram indexes on PostgreSQL
        (core 0008; the message's holds the events that have one), a short search the
        latest events only (apps/core/search.py)."""
        value = value.strip()
        if not value:
            return queryset
        found = contains(value, "object_repr", "event") | (
            contains(value, "message") & ~Q(message="")
        )
        queryset = queryset.filter(found)
        return latest_only(self, queryset, value, ("created_at",), "events")
