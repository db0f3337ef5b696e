from django.shortcuts import redirect
from django.views.generic import TemplateView

from apps.accounts.roles import Area, is_portal_user
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import PageContextMixin

from .dashboard import cards_for


class DashboardView(AreaRequiredMixin, PageContextMixin, TemplateView):
    """The landing page: one card per area the role may see (later issues fill the figures)."""

    area = Area.LEDGER
    need = "figures"
    title = "Dashboard"
    template_name = "reports/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_portal_user(request.user):
            return redirect("portal-home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = cards_for(self.request.user)
        return context
