from modeltranslation.translator import TranslationOptions, register

from kaskad.library.models import Material


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("title", "description")
