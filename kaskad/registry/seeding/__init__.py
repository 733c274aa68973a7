"""Deterministic, realistic registry data: districts, organisations and people.

The generator only produces rows (dicts of strings with exactly the columns of the import
files); loading them is the import pipeline's job, so demo data, tests and benchmarks go
through the same validation as a ministry spreadsheet.

Determinism: every random choice comes from a ``random.Random`` seeded from the seed
number and a stage name, and nothing is iterated in set or hash order, so the same seed
gives the same rows (and byte-identical CSV files). Dates are relative to ``as_of``
(default: the 1st of September of the current school year), never to the clock.

Proportions (the test suite checks them on a sample):

* positions: teaching staff (teachers, preschool teachers, lecturers) about 85%; one
  director per organisation, 2-3 deputies per full school, psychologists, librarians,
  social pedagogues, methodologists;
* levels: 44% of school teachers (position ``teacher``) teach in primary; the others
  lower or upper secondary; lecturers teach TVET (colleges) or higher (universities);
* experience: 56% have more than 10 years; experience <= age - 21;
* categories: the five current ones, legacy first/highest/second and "none", depending
  on experience; mostly awarded in the last five years, some overdue;
* sex: about 80% women; names in Kazakh (with ә ғ қ ң ө ұ ү һ і), Russian and a few other
  traditions, sex-appropriate surname endings, Kazakh ``-ұлы``/``-қызы`` patronymics for
  some, no patronymic for about 5%.

Pure Python (no database): only the choice codes come from the Django layer.
"""

from kaskad.registry.seeding.areas import ru_genitive, translit
from kaskad.registry.seeding.files import (
    DISTRICT_COLUMNS,
    ORGANISATION_COLUMNS,
    PEOPLE_COLUMNS,
    write_csv,
    write_files,
)
from kaskad.registry.seeding.names import feminine_surname, kazakh_patronymic
from kaskad.registry.seeding.organisations import apportion
from kaskad.registry.seeding.people import staff_positions
from kaskad.registry.seeding.plan import SeedPlan, build_plan
from kaskad.registry.seeding.scales import SCALES, Scale, default_as_of

__all__ = [
    "DISTRICT_COLUMNS",
    "ORGANISATION_COLUMNS",
    "PEOPLE_COLUMNS",
    "SCALES",
    "Scale",
    "SeedPlan",
    "apportion",
    "build_plan",
    "default_as_of",
    "feminine_surname",
    "kazakh_patronymic",
    "ru_genitive",
    "staff_positions",
    "translit",
    "write_csv",
    "write_files",
]
