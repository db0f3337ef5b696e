"""What the invoice and credit-note endpoints share: the area and portal scope, money
fields, email, the archived PDF / XML downloads and deleting a draft."""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.files import PDF, XML, file_action_options, file_responses
from apps.core.api.problems import problem_response
from apps.core.api.viewsets import ReadOnlyAreaViewSet
from apps.core.models import CompanySettings

from .. import services
from ..views.common import file_response

DRAFT = "draft"
# drafts (no issue date yet) first on every database, then the newest issued
NEWEST_FIRST = [F("issue_date").desc(nulls_first=True), "-id"]


def amount_field(**kwargs) -> serializers.DecimalField:
    """A stored amount as a decimal string with two places ("12.50")."""
    return serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, **kwargs)


def decimal_text(help_text: str, **kwargs) -> serializers.CharField:
    """A decimal sent as a string and checked by the service (the screens' messages)."""
    return serializers.CharField(max_length=40, help_text=help_text, **kwargs)


def quantities_of(data: dict, key: str) -> dict | None:
    """The sent `lines` as {line id: quantity}, or None when no lines were sent (the
    service then takes everything left)."""
    if "lines" not in data:
        return None
    quantities = {row[key]: row["quantity"] for row in data["lines"]}
    if len(quantities) < len(data["lines"]):
        raise serializers.ValidationError({"lines": [f"Send each {key.replace('_', ' ')} once."]})
    return quantities


class IssueSerializer(serializers.Serializer):
    issue_date = serializers.DateField(
        required=False, help_text="Default: the draft's issue date, else today."
    )


class EmailSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=254, help_text="One email address.")
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class EmailQueuedSerializer(serializers.Serializer):
    document = serializers.CharField(help_text="The document's number.")
    to = serializers.CharField()
    detail = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    """What invoices and credit notes show alike; `Meta.fields` adds each one's own."""

    currency = serializers.CharField(source="currency_id", read_only=True)
    series = serializers.CharField(source="series.code", read_only=True)

    HEAD = ["id", "number", "status", "customer", "billing_name", "series", "issue_date"]
    MONEY = ["currency", "exchange_rate", "net_total", "tax_total", "total", "total_base"]
    TRAIL = ["sent_at", "sent_to", "issued_at", "created_at"]
    # the detail adds the billing snapshot, the posting and the archive
    DETAIL = ["billing_address", "billing_tax_id", "journal_entry", "chain_position"]
    DETAIL += ["content_hash", "pdf_sha256"]


class TaxGroupSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    name = serializers.CharField()
    net = serializers.DecimalField(max_digits=18, decimal_places=2)
    tax = serializers.DecimalField(max_digits=18, decimal_places=2)


class DocumentViewSet(mixins.DestroyModelMixin, ReadOnlyAreaViewSet):
    """Invoices and credit notes alike. A portal customer reads only its own issued
    documents; a draft or another customer's document answers 404 to it."""

    area = Area.INVOICES
    own_actions = ("list", "retrieve", "pdf", "xml")
    lookup_value_regex = r"\d+"
    detail_serializer_class: type[serializers.Serializer]

    def own_filter(self, queryset, user):
        return queryset.exclude(status=DRAFT).filter(customer__portal_user=user)

    def get_serializer_class(self):
        if self.action == "list":
            return self.serializer_class
        return self.detail_serializer_class

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("today", CompanySettings.load().today())
        return context

    def delete_draft(self, document) -> None:
        raise NotImplementedError

    def destroy(self, request, *args, **kwargs):
        """Delete a draft (it has no number, so no gap is left); an issued document is
        never deleted: 409 (an invoice is voided instead)."""
        document = self.get_object()
        try:
            self.delete_draft(document)
        except services.InvoicingError as exc:
            return problem_response(
                409, " ".join(exc.messages), slug="issued", instance=request.path
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _issued(self):
        document = self.get_object()
        if document.is_draft:
            raise NotFound("A draft has no archived file; issue it first.")
        return document

    @extend_schema(request=EmailSerializer, responses={202: EmailQueuedSerializer})
    @action(detail=True, methods=["post"])
    def email(self, request, pk=None):
        """Email the issued document with its PDF attached (queued for the worker)."""
        document = self.get_object()
        data = self.validated(EmailSerializer)
        services.document_email_send(
            document=document, to=data["to"], message=data.get("message", ""), user=request.user
        )
        body = {
            "document": str(document),
            "to": data["to"].strip(),
            "detail": f"{document} is on its way to {data['to'].strip()}.",
        }
        return Response(EmailQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=file_responses(PDF, "The archived PDF/A-3 (Factur-X inside)."))
    @action(detail=True, **file_action_options(PDF))
    def pdf(self, request, pk=None):
        """The PDF as archived when the document was issued (byte-identical every time)."""
        return file_response(self._issued(), "pdf", archived=True)

    @extend_schema(responses=file_responses(XML, "The EN 16931 (Factur-X) XML."))
    @action(detail=True, **file_action_options(XML))
    def xml(self, request, pk=None):
        """The Factur-X XML of the document as issued (the one inside the archived PDF)."""
        return file_response(self._issued(), "xml")
