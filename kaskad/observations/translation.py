from modeltranslation.translator import TranslationOptions, register

from kaskad.observations.models import Behaviour, Domain, Element, Instrument, InstrumentVersion


@register(Instrument)
class InstrumentTranslation(TranslationOptions):
    fields = ("name",)


@register(InstrumentVersion)
class InstrumentVersionTranslation(TranslationOptions):
    fields = ("description",)


@register(Domain)
class DomainTranslation(TranslationOptions):
    fields = ("name",)


@register(Element)
class ElementTranslation(TranslationOptions):
    fields = ("name", "na_rule")


@register(Behaviour)
class BehaviourTranslation(TranslationOptions):
    fields = ("text",)
