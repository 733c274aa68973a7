from modeltranslation.translator import TranslationOptions, register

from kaskad.assessment.models import Criterion, CriterionLevel


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("title",)


@register(CriterionLevel)
class CriterionLevelTranslation(TranslationOptions):
    fields = ("descriptor",)
