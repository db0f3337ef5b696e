"""Staff screens for seller credit (Area.CREDIT): sellers, the top-up queue, the transaction log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.accounts.roles import Area
from apps.core.idempotency import FORM_REPLAYED, form_once
from apps.core.permissions import AreaRequiredMixin
from apps.core.querycache import built_once
from apps.core.redirects import safe_next
from apps.core.views import (
    BackofficeDetailView,
    BackofficeFormView,
    BackofficeListView,
    BackofficeUpdateView,
)

from . import services
from .filters import CreditRequestFilter, SellerFilter, TransactionFilter
from .forms import ReasonForm, SellerCreateForm, SellerUpdateForm
from .models import CreditRequest, RequestStatus, Seller, TransactionLog
from .tables import CreditRequestTable, SellerTable, TransactionTable


class CreditArea:
    area = Area.CREDIT


class SellerListView(CreditArea, BackofficeListView):
    title = "Sellers"
    table_class = SellerTable
    filterset_class = SellerFilter
    create_url_name = "seller-create"
    create_label = "New seller"
    empty_text = "No sellers yet."

    def get_queryset(self):  # what SellerTable's rows and CSV read
        return Seller.objects.select_related("user", "account").only(
            "company", "phone", "status", "balance", "user__email", "account__code"
        )


class SellerCreateView(CreditArea, BackofficeFormView):
    title = "New seller"
    form_class = SellerCreateForm
    submit_label = "Create seller"
    success_message = "Seller {object} created with its credit account."

    def perform(self, form):
        data = form.cleaned_data
        return services.seller_create(
            email=data["email"],
            company=data["company"],
            phone=data["phone"] or "",
            full_name=data["full_name"],
            password=data["password"] or None,
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class SellerUpdateView(CreditArea, BackofficeUpdateView):
    model = Seller
    form_class = SellerUpdateForm
    success_message = "Seller {object} saved."
    cancel_url_name = "seller-list"

    def get_success_url(self):
        return self.object.get_absolute_url()


class SellerDetailView(CreditArea, BackofficeDetailView):
    template_name = "credit/seller_detail.html"

    def get_queryset(self):
        return Seller.objects.select_related("user", "account")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seller = self.object
        context["transactions"] = TransactionTable(
            seller.transactions.select_related("seller")[:10], exclude=("seller",), orderable=False
        )
        context["pending"] = seller.credit_requests.filter(status=RequestStatus.PENDING)
        context["status_form"] = ReasonForm()
        return context


class SellerStatusView(CreditArea, AreaRequiredMixin, View):
    """POST: suspend (charges stop at once) or reactivate a seller."""

    need = "write"
    http_method_names = ["post"]

    def post(self, request, pk):
        seller = get_object_or_404(Seller, pk=pk)
        try:
            services.seller_set_status(
                seller=seller,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{seller} is now {seller.get_status_display().lower()}.")
        return redirect(seller)


class SellerLookupView(CreditArea, AreaRequiredMixin, View):
    """<option>s for the seller <datalist> of the credit lists' filter bars: type a company,
    login email or phone."""

    def get(self, request):
        from .selectors import seller_label, sellers_matching

        text = (request.GET.get("q") or request.GET.get("seller") or "").strip()
        sellers = sellers_matching(text).select_related("user")[:20] if text else []
        labels = [seller_label(seller) for seller in sellers]
        return render(request, "core/_options.html", {"labels": labels})


class CreditRequestListView(CreditArea, BackofficeListView):
    """The top-up queue: pending requests first, oldest first among them."""

    title = "Credit requests"
    template_name = "credit/creditrequest_list.html"
    table_class = CreditRequestTable
    filterset_class = CreditRequestFilter
    empty_text = "No credit requests match these filters."

    def get_queryset(self):
        pending_first = Case(
            When(status=RequestStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            CreditRequest.objects.select_related("seller", "decided_by")
            .annotate(queue=pending_first)
            .order_by("queue", "-created_at", "-id")
        )

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "order_by": ()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason_form"] = ReasonForm()
        return context


class CreditRequestDetailView(CreditArea, BackofficeDetailView):
    template_name = "credit/creditrequest_detail.html"

    def get_queryset(self):
        return CreditRequest.objects.select_related("seller", "decided_by", "entry")

    def get_title(self) -> str:
        return f"Top-up request #{self.object.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason_form"] = ReasonForm()
        return context


class CreditRequestDecisionView(CreditArea, AreaRequiredMixin, View):
    """POST approve or reject; the service makes sure only the first decision counts."""

    need = "write"
    http_method_names = ["post"]
    decision = ""

    def post(self, request, pk):
        credit_request = get_object_or_404(CreditRequest, pk=pk)
        try:
            if self.decision == "approve":

                def work() -> str:
                    log = services.creditrequest_approve(
                        credit_request=credit_request, by=request.user
                    )
                    messages.success(
                        request,
                        f"Top-up of {credit_request.amount} approved: {credit_request.seller} "
                        f"now has {log.balance_after}.",
                    )
                    return request.POST.get("next") or credit_request.get_absolute_url()

                if form_once(request=request, work=work).replayed:
                    messages.info(request, FORM_REPLAYED)
            else:
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Say why the request is rejected; the seller sees it.")
                services.creditrequest_reject(
                    credit_request=credit_request,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
                messages.success(request, f"Top-up request #{credit_request.pk} rejected.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(safe_next(request, credit_request.get_absolute_url()))


class TransactionListView(CreditArea, BackofficeListView):
    title = "Transactions"
    template_name = "credit/transaction_list.html"
    table_class = TransactionTable
    filterset_class = TransactionFilter
    export_filename = "transactions"
    empty_text = "No transactions match these filters."

    def get_queryset(self):
        return built_once(
            ("credit.transaction-list",), lambda: TransactionLog.objects.with_list_columns()
        )

    paginate_by = 50
    lazy_pages = True

    def get_table_kwargs(self):
        # sorted by seller, the sellers are walked in name order unless a search or the
        # seller filter leaves few rows to find (apps/credit/log_order.py)
        narrowed = self.searched(self.request) or self.request.GET.get("seller", "").strip()
        return {**super().get_table_kwargs(), "seller_walk": not narrowed}


class TransactionDetailView(CreditArea, BackofficeDetailView):
    template_name = "credit/transaction_detail.html"

    def get_queryset(self):
        return TransactionLog.objects.select_related(
            "seller", "entry", "created_by", "reverses", "credit_request", "reversed_by"
        )

    def get_title(self) -> str:
        return f"{self.object.get_type_display()} {self.object.short_id}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason_form"] = ReasonForm()
        context["lines"] = self.object.entry.lines.select_related("account")
        return context


class TransactionReverseView(CreditArea, AreaRequiredMixin, View):
    need = "write"
    http_method_names = ["post"]

    def post(self, request, pk):
        log = get_object_or_404(TransactionLog, pk=pk)
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("Say why this transaction is reversed.")
            reversal = services.credit_reverse(
                transaction_log=log, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(log)
        messages.success(
            request, f"Reversed: {log.seller} balance is now {reversal.balance_after}."
        )
        return redirect(reversal)
