import factory

from apps.inventory.models import Store


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Store {n}")
    code = factory.Sequence(lambda n: f"S{n}")
