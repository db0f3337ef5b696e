"""Factories shared by every app's tests."""

import factory
from django.contrib.auth.models import Group

from apps.accounts.models import User

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        self.groups.set(Group.objects.filter(name__in=extracted))
        self.is_staff = "Admin" in extracted
        self.save(update_fields=["is_staff"])
