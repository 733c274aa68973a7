"""Real-looking portfolio texts for the workflow tests: each participant's own writing is
different; PASSAGE is what one of them copies from another; TEMPLATE is the programme's
mandated reflection form that everyone fills in."""

from __future__ import annotations

OWN = [
    (
        "In my grade five mathematics class I planned a series of three lessons on equivalent "
        "fractions. The pupils in this village school often find abstract notation difficult, "
        "so the first lesson started with folding paper strips and comparing the lengths of "
        "halves, quarters and eighths. I noticed that two girls who rarely speak in front of "
        "the class explained their folding to the group without any prompting. During the "
        "second lesson we moved to number lines drawn on the floor of the corridor, and the "
        "children walked the distances themselves. By the third lesson most pupils could write "
        "pairs of equivalent fractions and justify them with a drawing."
    ),
    (
        "My chemistry lessons with grade nine focused on the rate of reaction. Before the course "
        "I mostly demonstrated experiments at the front of the room while students copied notes. "
        "This term I organised small teams, gave each team a different temperature for the same "
        "reaction between marble chips and acid, and asked them to record the volume of gas "
        "every thirty seconds. The teams then pooled their results on a shared chart on the "
        "board. Several students argued about an unusual point on the graph and decided on their "
        "own that the stopwatch had been started late, which led to a valuable conversation "
        "about reliability of measurements."
    ),
    (
        "Teaching English to grade seven in a town school, I wanted my learners to speak more "
        "during lessons. I introduced a routine of paired interviews at the start of each lesson "
        "where partners asked each other three questions about a short text read at home. At "
        "first the conversations were very short and many pupils switched to Russian or Kazakh. "
        "After two weeks I added sentence starters on cards and a simple checklist for the "
        "listener. The recordings I made with permission show that the average length of answers "
        "doubled, and the quieter pupils began to ask follow-up questions of their own."
    ),
    (
        "For my history class in grade eight I designed lessons around primary sources about "
        "the Great Silk Road. Pupils compared a merchant's travel notes with a map of caravan "
        "routes and wrote questions they would ask the merchant. I used a gallery walk so every "
        "group could see the questions of the others and add comments on sticky notes. The "
        "hardest part for me was to stop answering their questions too quickly. In my "
        "reflection journal I wrote that waiting ten seconds before responding changed the tone "
        "of the discussion and the pupils started to answer each other instead of looking at me."
    ),
]

# A passage one participant writes and another copies word for word.
PASSAGE = (
    "Formative assessment became the centre of my planning. At the end of every lesson pupils "
    "completed an exit ticket with one thing they had learned and one question that remained "
    "unclear. I sorted the tickets into three piles after school and used them to form groups "
    "for the next lesson, so that pupils who needed more practice worked with me while others "
    "took on an extension task. Over six weeks the share of pupils who reached the lesson "
    "objective rose from about half to nearly four in five, and the pupils themselves began "
    "to ask for exit tickets when I forgot them."
)

# The programme's mandated reflection form: shared by everyone, never evidence.
TEMPLATE = (
    "Section A. Reflection on practice. Describe the context of your school and class, the "
    "learning objectives of the lesson series, the approaches to teaching and learning you "
    "applied, the evidence of pupils' learning you collected, and what you would change next "
    "time. Section B. Assessment for learning. Explain how you used success criteria, "
    "questioning, feedback and peer assessment, and how the results informed your planning. "
    "Section C. Professional development. Describe how you shared your experience with "
    "colleagues in your school."
)

# The same passage in a real Russian rendering (for the cross-language test).
PASSAGE_RU = (
    "Формативное оценивание стало центром моего планирования. В конце каждого урока ученики "
    "заполняли лист выхода, где писали одно, что они узнали, и один вопрос, который остался "
    "неясным. После уроков я раскладывала листы на три стопки и по ним составляла группы на "
    "следующий урок, чтобы ученики, которым нужно больше практики, работали со мной, а "
    "остальные выполняли задание повышенной сложности. За шесть недель доля учеников, "
    "достигших цели урока, выросла примерно с половины почти до четырёх из пяти, и ученики "
    "сами начали просить листы выхода, когда я о них забывала."
)
