"""Demo sellers (seller@demo.test and ten more) with approved top-ups, charges, a reversal,
a pending and a rejected request. Idempotent: a seller that already exists is left alone."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from apps.accounts.demo import demo_user

from .models import Seller
from .services import (
    credit_charge,
    credit_reverse,
    creditrequest_approve,
    creditrequest_create,
    creditrequest_reject,
    seller_create,
)

SELLERS = [
    ("seller@demo.test", "Sid's Phone Shop", "+447911123456"),
    ("kiosk.north@demo.test", "North Street Kiosk", "+447911123457"),
    ("mobile.plus@demo.test", "Mobile Plus", "+4915123456789"),
    ("topup.corner@demo.test", "Top-up Corner", "+33612345678"),
    ("city.cell@demo.test", "City Cell", "+12025550143"),
    ("harbour.news@demo.test", "Harbour News", "+447911123458"),
    ("campus.shop@demo.test", "Campus Shop", "+4915123456780"),
    ("station.store@demo.test", "Station Store", "+33612345670"),
    ("market.phones@demo.test", "Market Phones", "+12025550144"),
    ("airport.express@demo.test", "Airport Express", "+447911123459"),
    ("village.post@demo.test", "Village Post Office", "+4915123456781"),
]
CUSTOMER_PHONES = ["+447911000111", "+4915112345678", "+33698765432", "+12025550199"]


def seed(*, stdout) -> None:
    User = get_user_model()
    approver = User.objects.filter(email="accountant@demo.test").first()
    for index, (email, company, phone) in enumerate(SELLERS):
        if Seller.objects.filter(user__email=email).exists():
            continue
        if not User.objects.filter(email=email).exists():
            demo_user(email, company)  # the demo password, hashed once for all demo logins
        seller = seller_create(email=email, company=company, phone=phone, full_name=company)
        seller = Seller.objects.select_related("account__currency").get(pk=seller.pk)
        topup = Decimal(500 + 250 * (index % 4))
        creditrequest_approve(
            credit_request=creditrequest_create(seller=seller, amount=topup, note="Opening float"),
            by=approver,
        )
        charges = []
        for n in range(3 + index % 5):
            amount = Decimal("5.00") * (1 + (n + index) % 4)
            charges.append(
                credit_charge(
                    seller=seller,
                    amount=amount,
                    phone=CUSTOMER_PHONES[(n + index) % len(CUSTOMER_PHONES)],
                    idempotency_key=f"demo-{index}-{n}",
                ).transaction
            )
        if index % 3 == 1:
            credit_reverse(
                transaction_log=charges[0], reason="Customer's number was wrong", by=approver
            )
        if index % 2 == 0:
            creditrequest_create(seller=seller, amount=Decimal("200.00"), note="Weekend stock")
        if index % 4 == 3:
            creditrequest_reject(
                credit_request=creditrequest_create(seller=seller, amount=Decimal("5000.00")),
                reason="Above your agreed limit; call the office.",
                by=approver,
            )
        stdout.write(f"  seller {company} ({email})")
