"""Trust over time (Pamoja Mtaani, seed 003): short surveys answered anonymously, by segment and place,
in waves (a baseline, then follow-ups), so a programme can say more than "anecdotal evidence"."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Programme

DEFAULT_ITEMS: tuple[tuple[str, str], ...] = (
    (
        "I would report a crime to the police in my area.",
        "Ningeripoti uhalifu kwa polisi katika eneo langu.",
    ),
    ("The police treat young people here fairly.", "Polisi huwatendea vijana wa hapa kwa haki."),
    ("I feel safe walking in my area after dark.", "Ninajisikia salama nikitembea mtaani kwangu usiku."),
    (
        "If I complain about a police officer, something will be done.",
        "Nikilalamika kuhusu afisa wa polisi, hatua itachukuliwa.",
    ),
)


class TrustSurvey(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="trust_surveys")
    title = models.CharField(_("title"), max_length=200)
    token = models.SlugField(_("link code"), max_length=24, unique=True)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trust survey")
        verbose_name_plural = _("trust surveys")

    def __str__(self) -> str:
        return self.title


class TrustItem(models.Model):
    """A statement rated from 1 (strongly disagree) to 5 (strongly agree)."""

    survey = models.ForeignKey(TrustSurvey, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.CharField(_("statement in English"), max_length=240)
    text_sw = models.CharField(_("statement in Kiswahili"), max_length=240)

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.text()

    def text(self, language: str = "") -> str:
        return self.text_sw if (language or get_language() or "en").startswith("sw") else self.text_en


class WaveKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FOLLOW_UP = "follow_up", _("Follow-up")


class TrustWave(models.Model):
    """One round of asking: answers are compared wave by wave."""

    survey = models.ForeignKey(TrustSurvey, on_delete=models.CASCADE, related_name="waves")
    kind = models.CharField(_("kind"), max_length=12, choices=WaveKind.choices)
    label = models.CharField(_("label"), max_length=80)
    starts_on = models.DateField(_("starts"))

    class Meta:
        ordering = ["survey", "starts_on", "pk"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")

    def __str__(self) -> str:
        return self.label


class TrustChannel(models.TextChoices):
    WEB = "web", _("Web")
    PAPER = "paper", _("Paper, entered by staff")
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")


class TrustResponse(models.Model):
    """One person's answers in one wave, anonymous: a segment and a place, no identity. `respondent` is a
    keyed hash of a browser token or phone, only to refuse a second answer in the same wave."""

    wave = models.ForeignKey(TrustWave, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=8, choices=TrustChannel.choices)
    segment = models.CharField(_("segment"), max_length=30, blank=True)
    settlement = models.ForeignKey(
        "places.Settlement", verbose_name=_("settlement"), on_delete=models.SET_NULL, null=True, blank=True
    )
    respondent = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trust survey answer")
        verbose_name_plural = _("trust survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "respondent"], condition=~models.Q(respondent=""), name="one_answer_per_wave"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.pk}"


class TrustAnswer(models.Model):
    response = models.ForeignKey(TrustResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(TrustItem, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_score_per_item"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.score}"


class PhoneSessionState(models.TextChoices):
    ASKING = "asking", _("Asking")
    DONE = "done", _("Answered")
    STOPPED = "stopped", _("Stopped")


class TrustPhoneSession(models.Model):
    """A survey sent to a phone by SMS (one statement per message) or answered over USSD, while it is being
    answered. No contact and no number: `respondent` is the same keyed hash the answers keep (per survey), so
    a phone is asked once per wave and its answers cannot be linked to a person. `scores` are cleared once the
    answers are stored as a `TrustResponse`."""

    wave = models.ForeignKey(TrustWave, on_delete=models.CASCADE, related_name="phone_sessions")
    respondent = models.CharField(max_length=64)
    segment = models.CharField(max_length=30, blank=True)
    settlement = models.ForeignKey("places.Settlement", on_delete=models.SET_NULL, null=True, blank=True)
    language = models.CharField(max_length=2, default="sw")
    state = models.CharField(
        max_length=8, choices=PhoneSessionState.choices, default=PhoneSessionState.ASKING
    )
    scores = models.JSONField(default=dict, blank=True)  # item id (str) -> 1..5, while asking
    asked_at = models.DateTimeField()
    last_inbound_id = models.BigIntegerField(null=True, blank=True)
    last_replies = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "respondent"], name="one_phone_session_per_wave")
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.pk} {self.state}"
