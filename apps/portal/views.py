from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from apps.accounts.roles import Role, user_roles


class PortalHomeView(LoginRequiredMixin, TemplateView):
    """Landing page for customers and sellers; sections appear as their apps land."""

    template_name = "portal/home.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            user_roles(request.user) & {Role.CUSTOMER, Role.SELLER}
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = user_roles(self.request.user)
        context.update(
            title="My portal", is_customer=Role.CUSTOMER in roles, is_seller=Role.SELLER in roles
        )
        if context["is_seller"]:
            from apps.credit.models import Seller

            context["seller"] = (
                Seller.objects.select_related("account").filter(user=self.request.user).first()
            )
        return context
