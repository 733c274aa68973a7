from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set: `manage.py seed` and the demo training year. It sits above every
    other app (it drives all of them through their services); nothing imports it."""

    name = "kaskad.demo"
    label = "demo"
