"""The seller portal (/portal/credit/): balance, top-up requests, charges, own history.

Every query is scoped to the logged-in seller: another seller's object answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_htmx.http import trigger_client_event

from apps.accounts.roles import Area
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeListView, HtmxPartialMixin, PageContextMixin
from apps.credit import services
from apps.credit.filters import SellerTransactionFilter
from apps.credit.forms import ChargeForm, CreditRequestForm
from apps.credit.models import CreditRequest, RequestStatus, Seller, TransactionLog
from apps.credit.tables import SellerTransactionTable

CREDIT_CHANGED = "creditChanged"


class SellerPortalMixin(AreaRequiredMixin):
    area = Area.CREDIT
    need = "own"

    @cached_property
    def seller(self) -> Seller:
        seller = (
            Seller.objects.select_related("account__currency", "user")
            .filter(user=self.request.user)
            .first()
        )
        if seller is None:
            raise Http404("No seller account is linked to this login yet. Ask the office.")
        return seller


class SellerCreditView(SellerPortalMixin, PageContextMixin, HtmxPartialMixin, TemplateView):
    """The seller's desk: balance, sell a charge, request a top-up, latest transactions.

    htmx swaps: `#charge` and `#topup` after a submit; `#balance`, `#recent` and `#requests`
    reload themselves on the `creditChanged` event the submit responses send.
    """

    title = "My credit"
    template_name = "portal/credit/home.html"
    partial_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seller = self.seller
        context.setdefault("charge_form", ChargeForm())
        context.setdefault("topup_form", CreditRequestForm())
        context.update(
            seller=seller,
            recent=SellerTransactionTable(seller.transactions.all()[:10], orderable=False),
            requests=seller.credit_requests.order_by("-created_at")[:5],
        )
        return context


class _PortalPost(SellerPortalMixin, View):
    """POST a form to a service; htmx gets the form's partial back, others a redirect."""

    form_class = None
    partial = ""

    def get(self, request, *args, **kwargs):
        """A bookmarked or reloaded form address opens the page that holds the form
        (never a blank 405)."""
        return redirect(f"{reverse('portal-credit')}#{self.partial}")

    def render(self, request, form, *, partial: bool, **extra):
        page = SellerCreditView(request=request, args=(), kwargs={})
        page.seller = self.seller  # reuse this request's lookup
        context = page.get_context_data(**{f"{self.partial}_form": form, **extra})
        name = page.template_name + (f"#{self.partial}" if partial else "")
        return TemplateResponse(request, name, context)

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as exc:
                by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                for field, errors in by_field.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if not request.htmx:
                    messages.success(request, message)
                    return redirect("portal-credit")
                response = self.render(request, self.form_class(), partial=True, success=message)
                return trigger_client_event(response, CREDIT_CHANGED)
        return self.render(request, form, partial=bool(request.htmx))


class ChargeView(_PortalPost):
    form_class = ChargeForm
    partial = "charge"

    def perform(self, form) -> str:
        data = form.cleaned_data
        outcome = services.credit_charge(
            seller=self.seller,
            amount=data["amount"],
            phone=data["phone"],
            idempotency_key=data["idempotency_key"],
            by=self.request.user,
        )
        log = outcome.transaction
        if outcome.replayed:
            return (
                f"This charge was already made ({log.short_id}); nothing was charged again. "
                f"Balance after it: {log.balance_after}."
            )
        return f"Charged {-log.amount} to {log.phone}. New balance: {log.balance_after}."


class TopupRequestView(_PortalPost):
    form_class = CreditRequestForm
    partial = "topup"

    def perform(self, form) -> str:
        request = services.creditrequest_create(
            seller=self.seller, amount=form.cleaned_data["amount"], note=form.cleaned_data["note"]
        )
        return f"Top-up of {request.amount} requested. The office will review it."


class SellerTransactionListView(SellerPortalMixin, BackofficeListView):
    title = "My transactions"
    table_class = SellerTransactionTable
    filterset_class = SellerTransactionFilter
    export_filename = "my-transactions"
    empty_text = "No transactions match these filters."

    def get_queryset(self):
        return TransactionLog.objects.filter(seller=self.seller)

    paginate_by = 50
    lazy_pages = True


class SellerTransactionDetailView(SellerPortalMixin, PageContextMixin, DetailView):
    template_name = "portal/credit/transaction_detail.html"

    def get_queryset(self):
        return TransactionLog.objects.filter(seller=self.seller).select_related("reverses")

    def get_title(self) -> str:
        return f"{self.object.get_type_display()} {self.object.short_id}"


class SellerRequestListView(SellerPortalMixin, PageContextMixin, TemplateView):
    title = "My top-up requests"
    template_name = "portal/credit/requests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["requests"] = self.seller.credit_requests.select_related("decided_by").order_by(
            "-created_at"
        )[:200]
        context["seller"] = self.seller
        return context


class SellerRequestCancelView(SellerPortalMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        credit_request = get_object_or_404(
            CreditRequest, pk=pk, seller=self.seller, status=RequestStatus.PENDING
        )
        try:
            services.creditrequest_cancel(credit_request=credit_request, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Top-up request of {credit_request.amount} cancelled.")
        return redirect(reverse("portal-requests"))
