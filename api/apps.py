from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Partner API"

    def ready(self) -> None:
        # Connects the receivers that drop a changed or deleted key from the lookup cache.
        from api import auth  # noqa: F401
