"""factory_boy factories for the whole suite."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Candidate, Membership, Organization, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, verified=True, primary=True
            )


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    user = factory.SubFactory(UserFactory)
    headline = "ML engineer"
    hourly_rate = 80
    hours_per_week = 30


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.RECRUITER


# --- interviews: attempts and credentials without running an interview --------------------


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Domain"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")


class DomainPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.DomainPolicy"
        django_get_or_create = ("domain",)

    domain = factory.SubFactory(DomainFactory)


class ResumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "interviews.Resume"

    candidate = factory.SubFactory(CandidateFactory)
    version = factory.Sequence(lambda n: n + 1)
    file = factory.LazyAttribute(lambda o: f"resumes/{o.candidate.pk}/v{o.version}.pdf")
    original_name = "resume.pdf"
    sha256 = "0" * 64
    size_bytes = 1000
    page_count = 1
    parsed = factory.LazyFunction(dict)
    is_current = True


class AttemptFactory(factory.django.DjangoModelFactory):
    """A finished attempt by default (state submitted, finished when created)."""

    class Meta:
        model = "interviews.Attempt"

    candidate = factory.SubFactory(CandidateFactory)
    domain = factory.SubFactory(DomainFactory)
    resume = factory.LazyAttribute(lambda o: ResumeFactory(candidate=o.candidate, is_current=False))
    state = "submitted"
    cycle = 1
    created_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda o: o.created_at)


class CredentialFactory(factory.django.DjangoModelFactory):
    """A released, active credential by default (valid for the domain's validity)."""

    class Meta:
        model = "interviews.Credential"

    attempt = factory.SubFactory(AttemptFactory, state="released")
    candidate = factory.LazyAttribute(lambda o: o.attempt.candidate)
    domain = factory.LazyAttribute(lambda o: o.attempt.domain)
    tier = "expert"
    score = 75.0
    status = "active"
    release_at = factory.LazyAttribute(lambda o: o.attempt.finished_at)
    released_at = factory.LazyAttribute(lambda o: o.release_at)
    valid_until = factory.LazyAttribute(lambda o: o.released_at + timedelta(days=180))
