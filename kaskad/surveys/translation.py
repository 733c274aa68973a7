from modeltranslation.translator import TranslationOptions, register

from kaskad.surveys.models import Survey


@register(Survey)
class SurveyTranslation(TranslationOptions):
    fields = ("title", "description")
