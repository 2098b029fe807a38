from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FairnessConfig(AppConfig):
    """Voluntary demographic answers, anonymised outcomes and the bias audit built on them.

    Nothing outside this app reads its tables except the candidate's own data export and
    account deletion (``accounts.data_rights``): the interviewer, the grader and matching
    never import it (``tests/fairness/test_isolation.py`` proves it).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "fairness"
    verbose_name = "Fairness and trust"

    def ready(self) -> None:
        from fairness.roles import staff_roles_ensure

        # After migrate and after a test flush alike, so the roles always exist.
        post_migrate.connect(staff_roles_ensure, sender=self, dispatch_uid="fairness-staff-roles")
